import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.library.ts';

export default defineConfig(() => libraryBuild({ index: 'src/index.ts' }));
