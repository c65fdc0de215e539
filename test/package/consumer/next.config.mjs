// Facteur reads files beside its modules (migrations, a worker thread's entry): Node loads it from
// node_modules rather than the bundler moving it.
export default { serverExternalPackages: ['facteur'] };
