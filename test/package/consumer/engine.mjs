// `node engine.mjs <files…>`: the round trip as a plain Node script; prints its summary as JSON.
import { stopVisualWorkers } from 'facteur/einvoice';
import { roundTrip } from './round-trip.mjs';

console.log(JSON.stringify(await roundTrip(process.argv.slice(2))));
await stopVisualWorkers();
