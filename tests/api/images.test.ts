// Images on user messages (README: "Images"): file parts in the chat endpoint's body, checked by
// their bytes; shown to vision models the way each documents (the emulator says what it saw);
// stored with a saved chat, served to its owner only, deleted with it, counted in the quota;
// nothing stored in the playground.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { AllowedCloudflareModelNames, DEFAULT_MODEL_NAME, ERRORS, IMAGE_LIMITS, SHARE_PATH, VISION_MODEL_NAMES, type ChatMessage, type ChatWithMessages, type SharedChat, type ShareSummary, type StoredImage } from '../../shared/contract/index.ts'
import { startAppServer, type AppServer } from '../../harness/app-server.ts'
import { emulatorControl, type RequestRecord } from '../../emulator/client.ts'
import { expectApiError, readUiStream, signUp, type TestUser } from '../support/api-client.ts'
import { filePart, gifHead, jpegHead, png, SVG, webpHead } from '../support/images.ts'

const appUrl = inject('appUrl')
const emulator = emulatorControl(inject('emulatorUrl'))
const SCOUT = AllowedCloudflareModelNames.CloudflareLlamaScout
const LLAMA_VISION = AllowedCloudflareModelNames.CloudflareLlamaVision

let alice: TestUser
let bob: TestUser

beforeAll(async () => {
  ;[alice, bob] = await Promise.all([signUp(appUrl), signUp(appUrl)])
})

async function getChat(who: TestUser, chatId: number): Promise<ChatWithMessages> {
  const res = await who.fetch(`/api/chats/${chatId}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<ChatWithMessages>
}

/** Asks `question` with `parts` in a new chat of `who`'s; the answer's text and the chat. */
async function askWithImages(who: TestUser, question: string, parts: ChatMessage['parts'], model: string = SCOUT) {
  const chat = await who.createChat('Images')
  const res = await who.chat(chat.id, [{ role: 'user', content: question, parts }], { model })
  expect(res.status).toBe(200)
  const read = await readUiStream(res)
  expect(read.done).toBe(true)
  return { chatId: chat.id, text: read.text }
}

/** The emulator's record of the request to `model` that says `marker` (titles are asked of another model). */
async function upstreamOf(marker: string, model: string): Promise<RequestRecord> {
  return emulator.waitForRequest(record => record.model === model && JSON.stringify(record.body).includes(marker))
}

describe('a vision model in a saved chat', () => {
  it('sees the image as an image_url content part, and the image is stored with the question', async () => {
    const image = png(3, 2)
    const { chatId, text } = await askWithImages(alice, 'What colour is this? m-scout-1', [filePart(image)])
    expect(text).toContain(`I see 1 image: image/png 3x2 ${image.length} bytes (image_url).`)

    const sent = (await upstreamOf('m-scout-1', '@cf/meta/llama-4-scout-17b-16e-instruct')).body as { messages: { role: string, content: unknown }[] }
    const question = sent.messages.at(-1)!
    expect(question.content).toEqual([
      { type: 'text', text: 'What colour is this? m-scout-1' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${image.toString('base64')}` } },
    ])

    const [stored] = (await getChat(alice, chatId)).messages
    expect(stored!.files).toEqual([{ id: expect.any(String), url: `/api/images/${stored!.files![0]!.id}`, mediaType: 'image/png', size: image.length, width: 3, height: 2 }])

    const served = await alice.fetch(stored!.files![0]!.url)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.headers.get('x-content-type-options')).toBe('nosniff')
    expect(served.headers.get('content-disposition')).toBe(`inline; filename="image-${stored!.files![0]!.id}.png"`)
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true)
  })

  it('takes the type from the bytes, not the declared type', async () => {
    const { chatId, text } = await askWithImages(alice, 'Declared as GIF', [{ ...filePart(png(5, 4)), mediaType: 'image/gif' }])
    expect(text).toContain('image/png 5x4')
    const [stored] = (await getChat(alice, chatId)).messages
    expect(stored!.files![0]!.mediaType).toBe('image/png')
    expect((await alice.fetch(stored!.files![0]!.url)).headers.get('content-type')).toBe('image/png')
  })

  it('reads JPEG, WebP and GIF by their headers', async () => {
    const { text } = await askWithImages(alice, 'Three kinds', [filePart(jpegHead(640, 480), 'image/jpeg'), filePart(webpHead(300, 200), 'image/webp'), filePart(gifHead(16, 9), 'image/gif')])
    expect(text).toContain('I see 3 images: image/jpeg 640x480')
    expect(text).toContain('image/webp 300x200')
    expect(text).toContain('image/gif 16x9')
  })

  it('shows a stored image again on a later turn by its URL, and refuses another user\'s', async () => {
    const first = png(7, 7)
    const { chatId } = await askWithImages(alice, 'First look', [filePart(first)])
    const [question, answer] = (await getChat(alice, chatId)).messages
    const ref = { type: 'file' as const, mediaType: 'image/png', url: question!.files![0]!.url }
    const history: ChatMessage[] = [{ role: 'user', content: 'First look', parts: [ref] }, { role: 'assistant', content: answer!.content }, { role: 'user', content: 'And now? m-followup' }]
    const res = await alice.chat(chatId, history, { model: SCOUT })
    expect((await readUiStream(res)).text).toContain(`image/png 7x7 ${first.length} bytes`)
    // The follow-up stores no copy: the first question keeps its one image.
    expect((await getChat(alice, chatId)).messages.filter(message => message.files).length).toBe(1)

    const bobs = await bob.createChat('stolen')
    await expectApiError(await bob.chat(bobs.id, [{ role: 'user', content: 'Whose?', parts: [ref] }], { model: SCOUT }), 404, ERRORS.imageNotFound)
  })
})

describe('the same question again', () => {
  it('keeps the question\'s images once when it is sent again (a regenerated answer), and a new version gets its own copy', async () => {
    const part = filePart(png(5, 5))
    const { chatId } = await askWithImages(alice, 'Once only', [part])
    // As the chat page regenerates the first answer: the question again, in its place.
    const firstQuestion = (messages: ChatMessage[]) => alice.fetch(`/api/ai/cloudflare/${SCOUT}/chat?chat_id=${chatId}`, { method: 'POST', body: { messages, parentId: null } })
    const again = await firstQuestion([{ role: 'user', content: 'Once only', parts: [part] }])
    expect((await readUiStream(again)).text).toContain('image/png 5x5')
    const questions = (await getChat(alice, chatId)).messages.filter(message => message.role === 'user')
    expect(questions).toHaveLength(1)
    expect(questions[0]!.files).toHaveLength(1)

    // An edited question (a new version) sent with the stored image's URL: its own copy, so
    // deleting either version leaves the other's image.
    const edited = await firstQuestion([{ role: 'user', content: 'Edited, same picture', parts: [{ type: 'file', mediaType: 'image/png', url: questions[0]!.files![0]!.url }] }])
    expect((await readUiStream(edited)).text).toContain('image/png 5x5')
    const [version] = (await getChat(alice, chatId)).messages
    expect(version!.content).toBe('Edited, same picture')
    expect(version!.files).toHaveLength(1)
    expect(version!.files![0]!.id).not.toBe(questions[0]!.files![0]!.id)
    expect((await alice.fetch(version!.files![0]!.url)).status).toBe(200)
  })
})

describe('serving', () => {
  let image: StoredImage
  let chatId: number

  beforeAll(async () => {
    ;({ chatId } = await askWithImages(alice, 'Keep this', [filePart(png(2, 2))]))
    image = (await getChat(alice, chatId)).messages[0]!.files![0]!
  })

  it('is a 404 for another user and a 401 without a session', async () => {
    await expectApiError(await bob.fetch(image.url), 404, ERRORS.imageNotFound)
    expect((await fetch(`${appUrl}${image.url}`)).status).toBe(401)
    await expectApiError(await alice.fetch('/api/images/not-an-image-id'), 404, ERRORS.imageNotFound)
  })

  it('goes with its chat', async () => {
    expect((await alice.fetch(`/api/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await alice.fetch(image.url), 404, ERRORS.imageNotFound)
  })
})

describe('a shared chat', () => {
  it('serves the snapshot\'s images to anyone with the link, and only those, until it is revoked', async () => {
    const image = png(6, 4)
    const { chatId } = await askWithImages(alice, 'Share this picture', [filePart(image)])
    const other = (await getChat(alice, (await askWithImages(alice, 'Not shared', [filePart(png(2, 2))])).chatId)).messages[0]!.files![0]!
    const made = await (await alice.fetch(`/api/chats/${chatId}/shares`, { method: 'POST' })).json() as ShareSummary
    const shared = await (await fetch(`${appUrl}/api/shares/${made.id}`)).json() as SharedChat
    const [file] = shared.messages[0]!.files!
    expect(file).toMatchObject({ url: `/api/shares/${made.id}/images/${file!.id}`, mediaType: 'image/png', width: 6, height: 4, size: image.length })

    const served = await fetch(`${appUrl}${file!.url}`)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(served.headers.get('x-content-type-options')).toBe('nosniff')
    expect(served.headers.get('x-robots-tag')).toBe('noindex')
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true)
    // The page shows it.
    expect(await (await fetch(`${appUrl}${SHARE_PATH}${made.id}`)).text()).toContain(file!.url)

    // An image of the owner's that the snapshot does not show is not reachable through it.
    await expectApiError(await fetch(`${appUrl}/api/shares/${made.id}/images/${other.id}`), 404, ERRORS.imageNotFound)
    expect((await alice.fetch(`/api/shares/${made.id}`, { method: 'DELETE' })).status).toBe(204)
    await expectApiError(await fetch(`${appUrl}${file!.url}`), 404, ERRORS.imageNotFound)
  })
})

describe('Llama 3.2 Vision', () => {
  const agreements = async () => (await emulator.requests()).filter(record => record.model === '@cf/meta/llama-3.2-11b-vision-instruct' && (record.body as { prompt?: string })?.prompt === 'agree')

  it('gets the licence agreement once, then the newest image in its `image` field', async () => {
    const image = png(4, 3)
    const { text } = await askWithImages(alice, 'Describe m-llama-vision-1', [filePart(image)], LLAMA_VISION)
    expect(text).toContain(`I see 1 image: image/png 4x3 ${image.length} bytes (image).`)
    expect(await agreements()).toHaveLength(1)
    const body = (await upstreamOf('m-llama-vision-1', '@cf/meta/llama-3.2-11b-vision-instruct')).body as { image: number[], messages: { content: unknown }[] }
    expect(Buffer.from(body.image).equals(image)).toBe(true)
    expect(body.messages.every(message => typeof message.content === 'string')).toBe(true)

    const { text: again } = await askWithImages(bob, 'Describe m-llama-vision-2', [filePart(png(6, 6)), filePart(png(8, 8))], LLAMA_VISION)
    // One image only: the newest.
    expect(again).toContain('I see 1 image: image/png 8x8')
    expect(await agreements()).toHaveLength(1)
  })
})

describe('refused', () => {
  let chatId: number
  beforeAll(async () => {
    chatId = (await alice.createChat('refused')).id
  })
  const send = (parts: ChatMessage['parts'], model: string = SCOUT, extra: ChatMessage[] = []) =>
    alice.chat(chatId, [...extra, { role: 'user', content: 'Look', parts }], { model })

  it('by a model that cannot see (400 naming the vision models), storing nothing', async () => {
    const res = await send([filePart(png(2, 2))], DEFAULT_MODEL_NAME)
    await expectApiError(res, 400, ERRORS.imageModelCannotSee)
    for (const name of VISION_MODEL_NAMES) expect(ERRORS.imageModelCannotSee).toContain(name)
    expect((await getChat(alice, chatId)).messages).toEqual([])
  })

  it('SVG and anything that is not PNG, JPEG, WebP or GIF (415), whatever its declared type', async () => {
    await expectApiError(await send([filePart(SVG, 'image/svg+xml')]), 415, ERRORS.imageTypeUnsupported)
    await expectApiError(await send([filePart(SVG, 'image/png')]), 415, ERRORS.imageTypeUnsupported)
    await expectApiError(await send([filePart(Buffer.from('%PDF-1.7 hello'), 'image/png')]), 415, ERRORS.imageTypeUnsupported)
    expect((await getChat(alice, chatId)).messages).toEqual([])
  })

  it(`an image over ${IMAGE_LIMITS.maxImageBytes} bytes (413)`, async () => {
    await expectApiError(await send([filePart(png(4, 4, { padTo: IMAGE_LIMITS.maxImageBytes + 1 }))]), 413, ERRORS.imageTooLarge)
    expect(ERRORS.imageTooLarge).toContain(String(IMAGE_LIMITS.maxImageBytes))
  })

  it(`more than ${IMAGE_LIMITS.maxImagesPerMessage} images on a message, or ${IMAGE_LIMITS.maxImagesPerRequest} in a request (400)`, async () => {
    const many = (n: number) => Array.from({ length: n }, () => filePart(png(1, 1)))
    await expectApiError(await send(many(IMAGE_LIMITS.maxImagesPerMessage + 1)), 400, ERRORS.imagesTooMany)
    const earlier: ChatMessage[] = [
      { role: 'user', content: 'a', parts: many(IMAGE_LIMITS.maxImagesPerMessage) }, { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'b', parts: many(IMAGE_LIMITS.maxImagesPerMessage) }, { role: 'assistant', content: 'ok' },
    ]
    await expectApiError(await send([filePart(png(1, 1))], SCOUT, earlier), 400, ERRORS.imagesTooMany)
  })

  it('a URL that is neither base64 data nor a stored image, and images on an answer (400)', async () => {
    await expectApiError(await send([{ type: 'file', mediaType: 'image/png', url: 'https://example.com/cat.png' }]), 400, ERRORS.imageInvalid)
    await expectApiError(await send([{ type: 'file', mediaType: 'image/png', url: 'data:image/png,plain' }]), 400, ERRORS.imageInvalid)
    await expectApiError(await send([{ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,@@@@' }]), 400, ERRORS.imageInvalid)
    const res = await alice.chat(chatId, [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'a', parts: [filePart(png(1, 1))] }, { role: 'user', content: 'q2' }], { model: SCOUT })
    await expectApiError(res, 400, ERRORS.imageInvalid)
    expect((await getChat(alice, chatId)).messages).toEqual([])
  })

  it('a body over the chat endpoint\'s larger limit (413), while one over the usual 1 MiB is taken', async () => {
    const big = png(16, 16, { padTo: 1536 * 1024 })
    const { text } = await askWithImages(alice, 'Big one', [filePart(big)])
    expect(text).toContain(`${big.length} bytes`)
    const res = await alice.fetch(`/api/ai/cloudflare/${SCOUT}/chat?chat_id=${chatId}`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(IMAGE_LIMITS.maxChatBodyBytes) }] }) })
    await expectApiError(res, 413, ERRORS.chatBodyTooLarge)
  })
})

describe('the playground', () => {
  it('shows the model the image and stores nothing', async () => {
    const carol = await signUp(appUrl)
    const res = await carol.chat(0, [{ role: 'user', content: 'Playground look', parts: [filePart(png(9, 5))] }], { playground: true, model: SCOUT })
    expect(res.status).toBe(200)
    expect((await readUiStream(res)).text).toContain('image/png 9x5')
    expect(await (await carol.fetch('/api/chats')).json()).toEqual([])
  })
})

describe('storage quota', () => {
  let small: AppServer
  beforeAll(async () => {
    // About 40 KB: two 15 KB images fit, a third does not.
    small = await startAppServer({ emulatorUrl: inject('emulatorUrl'), databaseUrl: inject('postgresUrl') || undefined, env: { USER_STORAGE_QUOTA_MB: String(40_000 / 1024 / 1024) } })
  }, 60_000)
  afterAll(async () => {
    await small?.stop()
  })

  it('counts image bytes: past the quota the turn is refused (403) and nothing is stored; deleting the chat frees them', async () => {
    const dave = await signUp(small.url)
    const image = () => filePart(png(10, 10, { padTo: 15_000 }))
    const chat = await dave.createChat('quota')
    const ask = (content: string) => dave.chat(chat.id, [{ role: 'user', content, parts: [image()] }], { model: SCOUT })
    expect((await readUiStream(await ask('one'))).done).toBe(true)
    const before = (await (await dave.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages).messages
    expect((await readUiStream(await dave.chat(chat.id, [{ role: 'user', content: 'one' }, { role: 'assistant', content: before[1]!.content }, { role: 'user', content: 'two', parts: [image()] }], { model: SCOUT }))).done).toBe(true)
    const res = await dave.chat(chat.id, [{ role: 'user', content: 'three', parts: [image()] }], { model: SCOUT })
    await expectApiError(res, 403, ERRORS.storageQuotaReached)
    const after = (await (await dave.fetch(`/api/chats/${chat.id}`)).json() as ChatWithMessages).messages
    expect(after.map(message => message.content)).not.toContain('three')

    expect((await dave.fetch(`/api/chats/${chat.id}`, { method: 'DELETE' })).status).toBe(204)
    const fresh = await dave.createChat('again')
    const res4 = await dave.chat(fresh.id, [{ role: 'user', content: 'four', parts: [image()] }], { model: SCOUT })
    expect(res4.status).toBe(200)
    expect((await readUiStream(res4)).done).toBe(true)
  })
})
