/** `certwright version`: the client's version, for people or as JSON/YAML. */
import { programName, registerCommand, type Io } from './commands.js';
import { formatStructured, outputFormat } from './output.js';
import { packageVersion } from './package-version.js';
import { EXIT_OK, expectPositionals, parseCommandArgs, runCommand } from './usage.js';

const usageOf = (program: string) => `Usage: ${program} version [-o json|yaml]

Prints certwright's version and the Node.js runtime it runs on (--client is accepted, as by cmctl).
`;

async function runVersion(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usageOf(programName(io.argv0)), async () => {
    const { values, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o' }, client: { type: 'boolean' } });
    expectPositionals(positionals, []);
    const format = outputFormat(values.output);
    const clientVersion = { version: packageVersion(), nodeVersion: process.version, platform: `${process.platform}/${process.arch}` };
    io.stdout.write(format ? formatStructured({ clientVersion }, format) : `certwright ${clientVersion.version} (Node.js ${clientVersion.nodeVersion}, ${clientVersion.platform})\n`);
    return EXIT_OK;
  });
}

registerCommand('version', runVersion);
