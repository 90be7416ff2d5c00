// Types of the parts of web.mjs the TypeScript test suites use.
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Chromium as the bench launches it (shared flags, the offline guard, precise heap sizes). */
export declare function launch(): Promise<Browser>;
/** A fresh context and page; URLs of attempted requests to other hosts are pushed to `blocked`. */
export declare function openPage(browser: Browser, blocked?: string[]): Promise<{ ctx: BrowserContext; page: Page }>;
