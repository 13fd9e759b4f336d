// Runs s3rver (an S3-compatible server) on 127.0.0.1 for the tests: node s3rver-child.cjs <port> <dir> <bucket>.
// Prints "listening <port>" once it accepts connections.
const S3rver = require('s3rver');
const [port, directory, bucket] = process.argv.slice(2);
new S3rver({ address: '127.0.0.1', port: Number(port), directory, silent: true, configureBuckets: [{ name: bucket }] })
  .run()
  .then((addr) => process.stdout.write(`listening ${addr.port}\n`))
  .catch((e) => {
    process.stderr.write(`s3rver failed: ${e.stack}\n`);
    process.exit(1);
  });
