// Points the official Anthropic and OpenAI SDKs at a running chaos server and checks that
// they read its answers and streams, raise the right error types, and that their own retry
// logic reacts to its headers as it does against the real APIs.
//
// usage: node sdk_conformance.mjs http://127.0.0.1:PORT
// Prints one "PASS name" or "FAIL name: why" line per check; exits 1 when any check failed.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const base = process.argv[2];
if (!base) {
    console.error('usage: node sdk_conformance.mjs BASE_URL');
    process.exit(2);
}

// Not a real model id: the Anthropic SDK warns about deprecated ones on every call.
const model = 'chaos-conformance-model';
const messages = [{ role: 'user', content: 'Say something short.' }];
let failures = 0;

async function check(name, body) {
    try {
        await body();
        console.log(`PASS ${name}`);
    } catch (error) {
        failures += 1;
        console.log(`FAIL ${name}: ${error?.stack ?? error}`);
    }
}

function expect(condition, message) {
    if (!condition)
        throw new Error(message);
}

async function expectError(promise, errorClass, status) {
    try {
        await promise;
    } catch (error) {
        expect(error instanceof errorClass,
               `expected ${errorClass.name}, got ${error?.constructor?.name}: ${error?.message}`);
        expect(error.status === status, `expected status ${status}, got ${error.status}`);
        return error;
    }
    throw new Error(`expected ${errorClass.name}, but the call succeeded`);
}

async function control(method, path, body) {
    const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok, `${method} ${path} answered ${response.status}`);
    return response.json();
}

async function requestsTo(name) {
    const stats = await control('GET', '/chaos/stats');
    return stats.models?.[name]?.requests ?? 0;
}

const fault = (name) => ({ headers: { 'x-chaos-fault': name }, maxRetries: 0 });

const anthropic = new Anthropic({ apiKey: 'sk-ant-conformance', baseURL: base, maxRetries: 0 });
const openai = new OpenAI({ apiKey: 'sk-conformance', baseURL: `${base}/v1`, maxRetries: 0 });

await control('POST', '/chaos/reset');

await check('anthropic: message answer', async () => {
    const message = await anthropic.messages.create({ model, max_tokens: 64, messages });
    expect(message.type === 'message', `type ${message.type}`);
    expect(message.content[0].type === 'text' && message.content[0].text.length > 0, 'no text');
    expect(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, 'no usage');
    expect(typeof message.stop_reason === 'string', 'no stop_reason');
});

await check('anthropic: streamed answer', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 64, messages });
    let text = '';
    stream.on('text', (delta) => { text += delta; });
    const final = await stream.finalMessage();
    expect(text.length > 0, 'no text deltas');
    expect(final.content[0].text === text, 'final message differs from the deltas');
    expect(final.usage.output_tokens > 0, 'no output usage');
});

await check('anthropic: 429 is RateLimitError with retry headers', async () => {
    const error = await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, fault('rate_limited')),
        Anthropic.RateLimitError, 429);
    expect(error.headers.get('retry-after') !== null, 'no retry-after header');
    expect(error.error?.error?.type === 'rate_limit_error', 'wrong error type in body');
});
await check('anthropic: 529 is OverloadedError', async () => {
    const error = await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, fault('overloaded')),
        Anthropic.InternalServerError, 529);
    expect(error.error?.error?.type === 'overloaded_error', 'wrong error type in body');
});
await check('anthropic: 500 is InternalServerError', async () => {
    await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, fault('server_error')),
        Anthropic.InternalServerError, 500);
});
await check('anthropic: 401 is AuthenticationError', async () => {
    await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, fault('auth')),
        Anthropic.AuthenticationError, 401);
});
await check('anthropic: context overflow is BadRequestError', async () => {
    await control('PATCH', `/chaos/models/${model}`, { context_window: 50 });
    const error = await expectError(
        anthropic.messages.create({ model, max_tokens: 16,
                                    messages: [{ role: 'user', content: 'x'.repeat(2000) }] },
                                  { maxRetries: 0 }),
        Anthropic.BadRequestError, 400);
    expect(/prompt is too long: \d+ tokens > 50 maximum/.test(error.message), error.message);
    await control('POST', '/chaos/reset');
});
await check('anthropic: mid-stream overloaded_error surfaces as an error', async () => {
    const stream = anthropic.messages.stream({ model, max_tokens: 64, messages },
                                             fault('stream_error'));
    let failed = false;
    try {
        await stream.finalMessage();
    } catch (error) {
        failed = true;
        expect(/overloaded/i.test(String(error?.message ?? error)), `unexpected: ${error}`);
    }
    expect(failed, 'the stream error was not raised');
});
await check('anthropic: SDK retries honour retry-after-ms', async () => {
    await control('PATCH', `/chaos/models/${model}`,
                  { faults: { rate_limited: 1.0 }, retry_after_s: 0.3 });
    const before = await requestsTo(model);
    const started = Date.now();
    await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, { maxRetries: 2 }),
        Anthropic.RateLimitError, 429);
    const elapsed = Date.now() - started;
    const sent = (await requestsTo(model)) - before;
    expect(sent === 3, `expected 3 requests (1 + 2 retries), the server saw ${sent}`);
    expect(elapsed >= 550, `retries did not wait for retry-after-ms: ${elapsed} ms`);
    await control('POST', '/chaos/reset');
});

await check('openai: chat completion answer', async () => {
    const completion = await openai.chat.completions.create({ model, max_tokens: 64, messages });
    expect(completion.object === 'chat.completion', `object ${completion.object}`);
    expect(completion.choices[0].message.content.length > 0, 'no content');
    expect(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0,
           'no usage');
});
await check('openai: streamed chunks with usage', async () => {
    const stream = await openai.chat.completions.create({
        model, max_tokens: 64, messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage = null;
    for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage)
            usage = chunk.usage;
    }
    expect(text.length > 0, 'no streamed text');
    expect(usage && usage.completion_tokens > 0, 'no usage chunk');
});
await check('openai: 429 is RateLimitError', async () => {
    const error = await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, fault('rate_limited')),
        OpenAI.RateLimitError, 429);
    expect(error.code === 'rate_limit_exceeded', `code ${error.code}`);
});
await check('openai: overload is a 503 InternalServerError', async () => {
    await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, fault('overloaded')),
        OpenAI.InternalServerError, 503);
});
await check('openai: 500 is InternalServerError', async () => {
    await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, fault('server_error')),
        OpenAI.InternalServerError, 500);
});
await check('openai: 401 is AuthenticationError', async () => {
    const error = await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, fault('auth')),
        OpenAI.AuthenticationError, 401);
    expect(error.code === 'invalid_api_key', `code ${error.code}`);
});
await check('openai: context overflow is BadRequestError context_length_exceeded', async () => {
    await control('PATCH', `/chaos/models/${model}`, { context_window: 50 });
    const error = await expectError(
        openai.chat.completions.create({ model, max_tokens: 16,
                                         messages: [{ role: 'user', content: 'x'.repeat(2000) }] }),
        OpenAI.BadRequestError, 400);
    expect(error.code === 'context_length_exceeded', `code ${error.code}`);
    await control('POST', '/chaos/reset');
});
await check('openai: SDK retries honour retry-after-ms', async () => {
    await control('PATCH', `/chaos/models/${model}`,
                  { faults: { rate_limited: 1.0 }, retry_after_s: 0.3 });
    const before = await requestsTo(model);
    const started = Date.now();
    await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, { maxRetries: 2 }),
        OpenAI.RateLimitError, 429);
    const elapsed = Date.now() - started;
    const sent = (await requestsTo(model)) - before;
    expect(sent === 3, `expected 3 requests (1 + 2 retries), the server saw ${sent}`);
    expect(elapsed >= 550, `retries did not wait for retry-after-ms: ${elapsed} ms`);
    await control('POST', '/chaos/reset');
});

await check('both: GET /v1/models lists the profile\'s models', async () => {
    const page = await anthropic.models.list();
    expect(Array.isArray(page.data), 'anthropic: no data array');
    const openaiModels = await openai.models.list();
    expect(Array.isArray(openaiModels.data), 'openai: no data array');
});

console.log(`${failures === 0 ? 'all checks passed' : `${failures} checks failed`}`);
process.exit(failures === 0 ? 0 : 1);
