import { withApi } from '../../../../src/http/runtime.ts';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = async (request: Request, { params }: { params: Promise<{ provider: string }> }) => {
  const { provider } = await params;
  return withApi((api) => api.inbound(request, provider));
};
