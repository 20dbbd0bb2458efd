import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The C programs of apps/stress/native: the compiled baseline relay and the load generator. */
export type NativeProgram = 'null-relay' | 'load-driver';

/** The sources, beside src/ and dist/ alike. */
const SOURCE_DIRECTORY = fileURLToPath(new URL('../native/', import.meta.url));
/** Built programs (gitignored). */
const BUILD_DIRECTORY = fileURLToPath(new URL('../native/build/', import.meta.url));
/** Recompiling is a second or two; a compiler that hangs is broken. */
const COMPILE_TIMEOUT_MS = 120_000;

/**
 * The path of a built C program, compiled with the system C compiler (`cc`, or `$CC`) when it is
 * missing or older than its source. Throws a clear error when there is no C compiler.
 */
export function nativeProgramPath(program: NativeProgram): string {
  const built = `${BUILD_DIRECTORY}${program}`;
  if (modifiedMs(built) >= modifiedMs(nativeProgramSource(program))) return built;
  mkdirSync(BUILD_DIRECTORY, { recursive: true });
  // Built under a name of its own and renamed: a test and a benchmark may build at the same time.
  const partial = `${built}.${process.pid}.partial`;
  compileNativeProgram(program, process.env['CC'] ?? 'cc', partial);
  renameSync(partial, built);
  return built;
}

export function nativeProgramSource(program: NativeProgram): string {
  return `${SOURCE_DIRECTORY}${program}.c`;
}

/** Compiles `program` with `compiler` to `output`; throws one clear line when that fails. */
export function compileNativeProgram(
  program: NativeProgram,
  compiler: string,
  output: string,
): void {
  const source = nativeProgramSource(program);
  try {
    execFileSync(compiler, ['-O2', '-Wall', '-o', output, source], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: COMPILE_TIMEOUT_MS,
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (failure.code === 'ENOENT') {
      throw new Error(
        `no C compiler '${compiler}' to build ${program}: install one (Debian: apt-get install gcc) ` +
          'or set CC',
      );
    }
    throw new Error(`${compiler} could not build ${source}: ${failure.stderr?.toString() ?? ''}`);
  }
}

function modifiedMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}
