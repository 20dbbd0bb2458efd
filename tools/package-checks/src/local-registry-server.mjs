// Verdaccio with the config file named on the command line, listening on 127.0.0.1 on a port the OS
// picks (so concurrent runs never collide); prints `listening <port>` once it accepts requests.
import process from 'node:process';
import { runServer } from 'verdaccio';

const [configPath] = process.argv.slice(2);
const server = await runServer(configPath);
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
