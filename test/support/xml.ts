/** The XML helpers of the test kit, re-exported for the tests under `test/`. */
export { canonical, stripWhitespace, x } from '../../src/testing/xml.js';
