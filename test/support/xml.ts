/** The XML helpers of the test kit (`src/testing/xml.ts`), for the tests that import them from here. */
export { canonical, stripWhitespace, x } from '../../src/testing/xml.js';
