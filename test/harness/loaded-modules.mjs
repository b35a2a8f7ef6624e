// `node --import ./loaded-modules.mjs`: every module the process resolves is appended, one URL a line,
// to the file LCI_TEST_LOADED names (resolve hooks run off the main thread, so they write to a file).
import { register } from 'node:module';

register('./loaded-modules-hooks.mjs', import.meta.url);
