/**
 * Activation API: start (POST), poll (GET), stream (GET …/events, server-sent events) and cancel
 * (DELETE) the activation of a stored profile. Events carry `{state, code?, message?, portalUrl?,
 * attempt?, error?}`; the 6-digit code is meant to be shown, tokens never appear.
 */
import type { FastifyInstance } from 'fastify';
import { isDeviceError } from '../../device/errors.ts';
import type { ProfileStore } from '../../device/profile-store.ts';
import { isTerminal, type ActivationJobs, type ActivationState } from './activation-jobs.ts';
import { sendDeviceError } from './routes-profiles.ts';

export function registerActivationRoutes(app: FastifyInstance, deps: { store: ProfileStore; jobs: ActivationJobs }): void {
  const { store, jobs } = deps;

  const withProfile = (fn: (name: string, req: { raw: import('node:http').IncomingMessage }, reply: import('fastify').FastifyReply) => unknown) =>
    async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const name = (req.params as { name: string }).name;
      try {
        await store.get(name);
      } catch (err) {
        if (isDeviceError(err)) return sendDeviceError(reply, err);
        throw err;
      }
      return fn(name, req, reply);
    };

  app.post('/api/profiles/:name/activation', withProfile((name, _req, reply) => {
    const r = jobs.start(name);
    return reply.code(r.started ? 202 : 200).send({ started: r.started, ...r.state });
  }));

  app.get('/api/profiles/:name/activation', withProfile((name) => jobs.get(name)));

  app.delete('/api/profiles/:name/activation', withProfile((name) => ({ cancelled: jobs.cancel(name), ...jobs.get(name) })));

  app.get('/api/profiles/:name/activation/events', withProfile((name, req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    const send = (s: ActivationState) => {
      if (!res.writableEnded) res.write(`event: state\ndata: ${JSON.stringify(s)}\n\n`);
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    let unsubscribe = () => {};
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      if (!res.writableEnded) res.end();
    };
    unsubscribe = jobs.subscribe(name, (s) => {
      send(s);
      if (isTerminal(s)) end();
    });
    req.raw.on('close', end);
    res.on('error', end);
    const current = jobs.get(name);
    send(current);
    if (isTerminal(current)) end();
  }));
}
