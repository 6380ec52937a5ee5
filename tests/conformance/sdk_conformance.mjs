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

await check('anthropic: a stream without message_stop is read to its stop_reason', async () => {
    const whole = await anthropic.messages.create({ model, max_tokens: 64, messages });
    // The raw event stream: the SDK ends it at the clean close without complaint. (The
    // messages.stream() helper of this SDK version builds its final message on message_stop.)
    const stream = await anthropic.messages.create({ model, max_tokens: 64, messages, stream: true },
                                                   fault('stream_no_terminator'));
    let text = '';
    let stopReason = null;
    let outputTokens = 0;
    const types = [];
    for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
            text += event.delta.text;
        if (event.type === 'message_delta') {
            stopReason = event.delta.stop_reason;
            outputTokens = event.usage.output_tokens;
        }
    }
    expect(!types.includes('message_stop'), 'the server sent message_stop');
    expect(text === whole.content[0].text, 'the streamed text differs from the answer');
    expect(stopReason === whole.stop_reason, `stop_reason ${stopReason}`);
    expect(outputTokens === whole.usage.output_tokens, `output_tokens ${outputTokens}`);
});
await check('anthropic: content_filter is a 200 whose stop_reason is refusal', async () => {
    const message = await anthropic.messages.create({ model, max_tokens: 64, messages },
                                                    fault('content_filter'));
    expect(message.stop_reason === 'refusal', `stop_reason ${message.stop_reason}`);
    expect(message.stop_details?.type === 'refusal', 'no stop_details');
    const stream = anthropic.messages.stream({ model, max_tokens: 64, messages },
                                             fault('content_filter'));
    const final = await stream.finalMessage();
    expect(final.stop_reason === 'refusal', `streamed stop_reason ${final.stop_reason}`);
});
await check('anthropic: rate-limit headers on answers and errors', async () => {
    const { response } = await anthropic.messages.create({ model, max_tokens: 16, messages })
        .withResponse();
    expect(response.headers.get('anthropic-ratelimit-requests-limit') === '4000',
           `requests limit ${response.headers.get('anthropic-ratelimit-requests-limit')}`);
    expect(Number(response.headers.get('anthropic-ratelimit-requests-remaining')) < 4000,
           'remaining does not drain');
    expect(!Number.isNaN(Date.parse(response.headers.get('anthropic-ratelimit-tokens-reset'))),
           'tokens reset is not a date');
    const error = await expectError(
        anthropic.messages.create({ model, max_tokens: 16, messages }, fault('server_error')),
        Anthropic.InternalServerError, 500);
    expect(error.headers.get('anthropic-ratelimit-tokens-limit') === '2000000',
           'no token limit on the error');
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
await check('openai: a stream without [DONE] is a complete completion', async () => {
    const whole = await openai.chat.completions.create({ model, max_tokens: 64, messages });
    const stream = openai.chat.completions.stream(
        { model, max_tokens: 64, messages, stream_options: { include_usage: true } },
        fault('stream_no_terminator'));
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0].finish_reason === whole.choices[0].finish_reason,
           `finish_reason ${completion.choices[0].finish_reason}`);
    expect(completion.choices[0].message.content === whole.choices[0].message.content,
           'the streamed text differs from the answer');
    expect(completion.usage?.completion_tokens === whole.usage.completion_tokens, 'no usage');
});
await check('openai: content_filter is a BadRequestError content_policy_violation', async () => {
    for (const stream of [false, true]) {
        const error = await expectError(
            openai.chat.completions.create({ model, max_tokens: 16, messages, stream },
                                           fault('content_filter')),
            OpenAI.BadRequestError, 400);
        expect(error.code === 'content_policy_violation', `code ${error.code}`);
        expect(error.type === 'invalid_request_error', `type ${error.type}`);
        expect(/safety system/.test(error.message), error.message);
    }
});
await check('openai: rate-limit headers on answers and errors', async () => {
    const { response } = await openai.chat.completions.create({ model, max_tokens: 16, messages })
        .withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests') === '4000',
           `requests limit ${response.headers.get('x-ratelimit-limit-requests')}`);
    expect(response.headers.get('x-ratelimit-limit-tokens') === '2000000', 'no token limit');
    expect(Number(response.headers.get('x-ratelimit-remaining-requests')) < 4000,
           'remaining does not drain');
    expect(/^(\d+h)?(\d+m)?\d+(\.\d+)?(ms|s)$/.test(response.headers.get('x-ratelimit-reset-requests')),
           `reset ${response.headers.get('x-ratelimit-reset-requests')}`);
    const error = await expectError(
        openai.chat.completions.create({ model, max_tokens: 16, messages }, fault('rate_limited')),
        OpenAI.RateLimitError, 429);
    expect(error.headers.get('x-ratelimit-remaining-tokens') !== null,
           'no remaining tokens on the error');
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
