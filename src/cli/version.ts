import { lciVersion } from '../version.js';
import { jsonDocument } from '../report/json.js';
import type { Command } from './command.js';

export const versionCommand: Command<Record<string, never>> = {
  name: 'version',
  summary: 'Print the version of lci (and of Node.js with --json).',
  usage: 'lci version [--json]',
  options: {},
  help: [],
  async run({ globals, io }) {
    io.out(
      globals.json
        ? jsonDocument('version', {
            version: lciVersion(),
            node: process.versions.node,
            platform: `${process.platform}/${process.arch}`,
          })
        : lciVersion(),
    );
    return 0;
  },
};
