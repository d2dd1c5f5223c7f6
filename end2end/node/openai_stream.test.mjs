// The OpenAI Node SDK, pointed at rampart: a streamed chat completion.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';

import OpenAI from 'openai';

const baseUrl = process.env.RAMPART_BASE_URL;
const apiKey = process.env.RAMPART_API_KEY;

function client(key = apiKey) {
  assert.ok(baseUrl && apiKey, 'RAMPART_BASE_URL and RAMPART_API_KEY must be set: run through end2end/run.sh');
  return new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: key, maxRetries: 0, timeout: 30_000 });
}

test('chat completion stream joins to the echo of the prompt', async () => {
  const word = `node-${randomUUID().slice(0, 8)}`;
  const prompt = `streaming from node ${word}`;
  const stream = await client().chat.completions.create(
    {
      model: 'mock-echo',
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    },
    { headers: { 'X-User-ID': 'node-sdk-user' } },
  );
  const pieces = [];
  const finishReasons = [];
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta?.content) pieces.push(choice.delta.content);
      if (choice.finish_reason) finishReasons.push(choice.finish_reason);
    }
  }
  assert.equal(pieces.join(''), `Echo: ${prompt}`);
  assert.ok(pieces.length >= 3, `expected several chunks, got ${JSON.stringify(pieces)}`);
  assert.deepEqual(finishReasons, ['stop']);
  assert.ok(usage && usage.completion_tokens > 0, `no usage chunk: ${JSON.stringify(usage)}`);
});

test('chat completion (non-stream) returns the echo', async () => {
  const completion = await client().chat.completions.create({
    model: 'mock-echo',
    messages: [{ role: 'user', content: 'plain node call' }],
  });
  assert.equal(completion.choices[0].message.content, 'Echo: plain node call');
  assert.equal(completion.choices[0].finish_reason, 'stop');
});

test('a bad key is an AuthenticationError (401)', async () => {
  await assert.rejects(
    client('rk_0000000000000000_' + '0'.repeat(64)).chat.completions.create({
      model: 'mock-echo',
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (err) => {
      assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err?.constructor?.name}: ${err}`);
      assert.equal(err.status, 401);
      return true;
    },
  );
});
