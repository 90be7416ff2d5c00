// The script-tag build dist/tutti.h5.min.js (SPEC §1): the same tag, data attributes and
// async snippet as dist/tutti.min.js, with the H5 features (container, native bridge) on top.
import { bootScript } from '../web/lib/boot-script';
import { createH5Tutti } from './create';
import { withShareUrl } from './share';

// withShareUrl: the page's instance may be a web copy's, joined.
export default withShareUrl(bootScript(createH5Tutti));
