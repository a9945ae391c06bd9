import { readFileSync } from 'node:fs';

/**
 * True while a process with this pid exists: `kill(pid, 0)` succeeds, or fails with EPERM (it
 * exists but belongs to another user).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Calls `onGone` (once) when this process's launcher goes away, checking every `everyMs` ms
 * (unref'd: it never keeps the process alive). The launcher is the parent and, when the parent
 * is a shell, on Linux, the shell's parent: under `npm start`, npm runs the script through
 * `sh -c`, and dash does not exec the command. Meant for `npm start`, whose npm passes SIGTERM and
 * SIGINT on but cannot pass on its own SIGKILL, after which the server would live on, orphaned.
 * When npm itself is the parent, the user's shell above it is not watched: it may go away
 * (`nohup npm start &`) while npm keeps running.
 * @param everyMs check interval, ms
 * @returns a function that stops watching
 */
export function watchLauncher(onGone: () => void, everyMs: number): () => void {
  const parent = process.ppid;
  const launchers = [parent];
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces: read after the last ')'.
    const stat = readFileSync(`/proc/${parent}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const grand = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (/^(sh|dash|bash|ash|zsh)$/.test(comm) && Number.isSafeInteger(grand) && grand > 1)
      launchers.push(grand);
  } catch {
    // not Linux: the parent alone
  }
  const timer = setInterval(() => {
    if (process.ppid === parent && launchers.every(processAlive)) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
