// `npm start`: builds the web client if it is missing, then serves.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync('dist/client/index.html')) run('npx', ['vite', 'build', '--logLevel', 'warn']);
run('node', ['--import', 'tsx', 'server/main.ts']);
