#!/usr/bin/env node
// @ts-check
/**
 * lodestone: the admin CLI over the admin API, for local dev and deployed Workers.
 *
 * Plain ESM JavaScript (type-checked by tsc) so it runs on any Node >= 20
 * without a build step, including `npx lodestone` outside npm scripts. This
 * file only wires the commands of commands/ to the parser and the exit codes;
 * client.mjs is the one place that talks to the server.
 *
 * The parser is commander: nested commands ("leads export"), required and
 * variadic arguments, options before or after the command and "did you mean"
 * hints come with it, it has no dependencies, and it is already in the tree
 * (dependency-cruiser uses it). Its own help layout is replaced by ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { connect } from './client.mjs';
import { COMMANDS } from './commands/index.mjs';
import { UsageError, isUsageError } from './errors.mjs';
import { COMMAND_HELP, HELP } from './help.mjs';
import { PACKAGE_ROOT } from './target.mjs';
import { raw, visible } from './text.mjs';

export { isUsageError };

/** Every command, for help and tests. */
export const COMMAND_NAMES = COMMANDS.map((c) => c.name);

/** Options every command takes, the same wherever they stand on the line. */
const GLOBAL_OPTIONS = /** @type {const} */ (['url', 'token', 'key', 'json', 'progress', 'version']);

/** @type {(value: string, previous: string[] | undefined) => string[] | undefined} */
const repeatable = (value, previous) => [...(previous ?? []), value];

/**
 * Every option by its flag name. Values stay strings: each command parses
 * and explains its own numbers, as the API does.
 * @type {Record<keyof import('./commands/sequences.mjs').SequenceValues | 'version', () => Option>}
 */
const OPTIONS = {
  url: () => new Option('--url <url>'),
  token: () => new Option('--token <token>'),
  key: () => new Option('--key <key>'),
  json: () => new Option('--json'),
  progress: () => new Option('--progress'),
  version: () => new Option('--version'),
  name: () => new Option('--name <name>'),
  origin: () => new Option('--origin <origin>').argParser(repeatable),
  scope: () => new Option('--scope <scope>').argParser(repeatable),
  event: () => new Option('--event <type>').argParser(repeatable),
  description: () => new Option('--description <text>'),
  limit: () => new Option('--limit <n>'),
  follow: () => new Option('--follow'),
  interval: () => new Option('--interval <ms>'),
  stage: () => new Option('--stage <stage>'),
  temperature: () => new Option('--temperature <temperature>'),
  'min-score': () => new Option('--min-score <n>'),
  q: () => new Option('--q <text>'),
  sort: () => new Option('--sort <order>'),
  magnet: () => new Option('--magnet <magnet>'),
  'updated-since': () => new Option('--updated-since <iso>'),
  from: () => new Option('--from <iso>'),
  to: () => new Option('--to <iso>'),
  format: () => new Option('--format <format>'),
  excel: () => new Option('--excel'),
  out: () => new Option('--out <file>'),
  config: () => new Option('--config <file>'),
  'budget-ms': () => new Option('--budget-ms <ms>'),
  status: () => new Option('--status <status>'),
  email: () => new Option('--email <email>'),
  admin: () => new Option('--admin'),
  dead: () => new Option('--dead'),
  yes: () => new Option('-y, --yes'),
  'pending-days': () => new Option('--pending-days <n>'),
  'withdrawn-days': () => new Option('--withdrawn-days <n>'),
  'event-months': () => new Option('--event-months <n>'),
  'ledger-years': () => new Option('--ledger-years <n>'),
  file: () => new Option('--file <file>'),
  by: () => new Option('--by <group>'),
  reason: () => new Option('--reason <reason>'),
  value: () => new Option('--value <n>'),
  currency: () => new Option('--currency <code>'),
  'closed-at': () => new Option('--closed-at <iso>'),
  owner: () => new Option('--owner <owner>'),
  'crm-id': () => new Option('--crm-id <id>'),
  budget: () => new Option('--budget <budget>'),
  authority: () => new Option('--authority <authority>'),
  need: () => new Option('--need <need>'),
  timeline: () => new Option('--timeline <timeline>'),
  'send-optin': () => new Option('--send-optin'),
  // sequences
  lead: () => new Option('--lead <lead>'),
  lang: () => new Option('--lang <lang>'),
  html: () => new Option('--html'),
  outbox: () => new Option('--outbox'),
  'min-gap-hours': () => new Option('--min-gap-hours <n>'),
  'sends-per-minute': () => new Option('--sends-per-minute <n>'),
  'time-zone': () => new Option('--time-zone <zone>'),
};

/** @returns {import('./command.mjs').Io} */
function processIo() {
  return {
    err: (line) => process.stderr.write(`${line}\n`),
    stdinTTY: Boolean(process.stdin.isTTY),
    stderrTTY: Boolean(process.stderr.isTTY),
    stdoutTTY: Boolean(process.stdout.isTTY),
    write: (data) => void process.stdout.write(data),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    cwd: process.cwd(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

const version = () => JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;

/**
 * A parser error in our words: a missing argument shows the command's usage;
 * anything else keeps commander's message and says where the help is.
 * @param {CommanderError} err @param {string} name @param {string} usage
 */
function usageError(err, name, usage) {
  if (err.code === 'commander.helpDisplayed') return err;
  if (err.code === 'commander.missingArgument') return new UsageError(`Usage: lodestone ${usage}`);
  // One line, with the full command name (commander knows only the last word).
  const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/ for '[^']*'/, name ? ` for '${name}'` : '$&');
  const sentence = `${message.charAt(0).toUpperCase()}${message.slice(1)}`.replace(/([^.])$/, '$1.');
  return new UsageError(`${sentence} Run lodestone ${name ? `${name} ` : ''}--help.`);
}

/**
 * Our help text instead of commander's, our errors instead of its exit.
 * @param {Command} cmd @param {string} name @param {string} help @param {(line: string) => void} print
 */
function configure(cmd, name, help, print) {
  return cmd
    .configureHelp({ formatHelp: () => help })
    .configureOutput({ writeOut: (s) => print(s), writeErr: () => {}, outputError: () => {} })
    .exitOverride((err) => {
      throw usageError(err, name, help.replace(/^Usage: lodestone /, '').split('\n')[0] ?? name);
    });
}

/**
 * The parser for one run. Each command's action builds its context and
 * stores the exit code in `result`.
 * @param {(line: string) => void} print @param {import('./command.mjs').Io} io @param {{ code: number }} result
 */
function parser(print, io, result) {
  const root = configure(new Command('lodestone'), '', HELP, print);
  for (const name of GLOBAL_OPTIONS) root.addOption(OPTIONS[name]());
  root.argument('[command...]').action((/** @type {string[]} */ words, /** @type {{ version?: boolean }} */ opts) => {
    if (opts.version) print(version());
    else if (words.length) throw new UsageError(`Unknown command "${visible(words.slice(0, 2).join(' '))}". Run lodestone --help.`);
    else print(HELP);
  });
  /** @type {Map<string, Command>} */
  const groups = new Map();
  const group = (/** @type {string} */ name) => {
    const found = groups.get(name);
    if (found) return found;
    const help = Object.entries(COMMAND_HELP).filter(([k]) => k.startsWith(`${name} `)).map(([, h]) => `lodestone ${h}`).join('\n\n');
    const cmd = configure(root.command(name), name, help, print).argument('[action]')
      .action((/** @type {string | undefined} */ action) => {
        throw new UsageError(`Unknown command "${visible(action ? `${name} ${action}` : name)}". Run lodestone --help.`);
      });
    groups.set(name, cmd);
    return cmd;
  };
  for (const def of COMMANDS) {
    const [first = '', second] = def.name.split(' ');
    const cmd = configure(second ? group(first).command(second) : root.command(first), def.name, `Usage: lodestone ${def.help}`, print);
    for (const arg of def.args ?? []) cmd.argument(arg);
    for (const name of def.options ?? []) cmd.addOption(OPTIONS[name]());
    cmd.action(async (...params) => {
      const command = /** @type {Command} */ (params.at(-1));
      /** @type {Record<string, unknown>} */
      const given = command.optsWithGlobals();
      // Options by their flag names, as the commands read them.
      const values = Object.fromEntries([...GLOBAL_OPTIONS, ...def.options ?? []].map((flag) => [flag, given[OPTIONS[flag]().attributeName()]]));
      if (values.version) return void print(version());
      const { api, keyed } = connect(values, io.env, io.cwd);
      const out = (/** @type {unknown} */ json, /** @type {() => string} */ human) => print(values.json ? JSON.stringify(raw(json), null, 2) : human());
      const code = await def.run({ api, keyed, out, args: command.args, values, print, io, progress: io.stderrTTY || Boolean(values.progress) });
      result.code = typeof code === 'number' ? code : 0;
    });
  }
  return root;
}

/**
 * Runs one command; resolves to the exit code. Exported so tests can call it in-process.
 * @param {string[]} [argv] @param {(line: string) => void} [print] @param {Partial<import('./command.mjs').Io>} [io]
 * @returns {Promise<number>}
 */
export async function main(argv = process.argv.slice(2), print = (s) => console.log(s), io = {}) {
  const result = { code: 0 };
  try {
    await parser((s) => print(s.replace(/\n$/, '')), { ...processIo(), ...io }, result).parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.helpDisplayed') return 0;
    throw err;
  }
  return result.code;
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '');
if (invokedDirectly || process.argv[1]?.endsWith('/lodestone')) {
  main().then((code) => {
    process.exitCode = code;
  }, (/** @type {any} */ err) => {
    // One line, once: the message already carries the problem's detail.
    process.stderr.write(`lodestone: ${visible(String(err?.message ?? err))}\n`);
    process.exitCode = isUsageError(err) ? 2 : 1;
  });
}
