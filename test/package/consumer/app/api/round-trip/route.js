// POST {files: [paths]}: the round trip inside a Next.js route handler; answers its summary.
import { roundTrip } from '../../../round-trip.mjs';

export async function POST(request) {
  const { files } = await request.json();
  return Response.json(await roundTrip(files));
}
