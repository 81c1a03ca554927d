// report-generate against the real database: market reports from homes rows
// to files in Storage (the PDF's text, the JSON, CSV and HTML checked against
// the statistics SQL computes), failures that retry and failures that end
// the report, retries that neither duplicate files nor bill twice, reports
// whose job died, signed URLs for members only, and property and consumer
// reports with comparables from the Homes engine and a QR code that decodes
// to the landing URL. Files go to an in-memory Storage that signs URLs the
// way hosted Storage does (tests/reports-signed-urls.test.ts covers the
// gateway's).
import { PROPERTY_REPORT_PAGES } from "@domus/contracts/reports-generate.ts";
import jsQRModule from "jsqr";
import { decodeImage } from "../_shared/ai-providers/image.ts";
import { asUser } from "../_shared/db.ts";
import { parseCsv } from "../_shared/reports/render/csv.ts";
import { changePct, METRIC_LABELS, metricValue } from "../_shared/reports/render/format.ts";
import { pdfPageTexts } from "../_shared/reports/render/pdf-read.ts";
import { type MarketStats, METRIC_KEYS } from "../_shared/reports/render/types.ts";
import { reportsStore } from "../_shared/reports/store.ts";
import { memoryStorage, StorageError } from "../_shared/storage.ts";
import { assert, assertEquals, closeTestSql, dbTest, newUser, signToken, testSql, userToken } from "../_shared/testing.ts";
import { createHandler, landingUrlFrom, type ReportGenerateDeps } from "./index.ts";
import { lastFullMonth } from "./property-job.ts";

type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

const JWT_SECRET = "report-generate-test-secret-with-32-chars!";
const URL_ = "http://functions.test/functions/v1/report-generate";
const LANDING = "https://reports.test/r/";
type User = { id: string; email: string };

type MemoryStorage = ReturnType<typeof memoryStorage>;

function setup(storage: MemoryStorage = memoryStorage()) {
  const deps: ReportGenerateDeps = {
    jwtSecret: JWT_SECRET,
    revocationReason: () => Promise.resolve(null),
    store: reportsStore(testSql()),
    storage,
    landingUrl: landingUrlFrom(LANDING),
    signedUrlSeconds: 120,
    maxMs: 60_000,
    batchSize: 4,
  };
  return { handler: createHandler(deps), storage };
}

const serviceToken = () => signToken({ role: "service_role", iss: "supabase", exp: Math.floor(Date.now() / 1000) + 600 }, JWT_SECRET);

async function runWorker(handler: (r: Request) => Promise<Response>) {
  const res = await handler(new Request(URL_, {
    method: "POST",
    headers: { authorization: `Bearer ${await serviceToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ queue: "reports.render" }),
  }));
  const body = await res.json();
  assertEquals(res.status, 200, JSON.stringify(body));
  return body as { claimed: number; abandoned_failed: number; jobs: Array<{ report_id: string; outcome: string; error?: string; files?: string[] }> };
}

async function files(handler: (r: Request) => Promise<Response>, token: string | null, id: string) {
  const res = await handler(new Request(`${URL_}?id=${encodeURIComponent(id)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
  return { status: res.status, body: await res.json() };
}

/** A market of its own: a city and ZIP code nobody else uses. */
function place() {
  const tag = crypto.randomUUID().slice(0, 6).toUpperCase();
  return { city: `Rendertown ${tag}`, zip: `R${tag}` };
}

/**
 * Homes the way the demo loads them (triggers off, derived columns written):
 * `sold` sales in each of the 13 months ending with `period`'s month, priced
 * so every month differs, plus `active` homes on the market.
 */
async function market(where: ReturnType<typeof place>, owner: string, o: { perMonth: number; active: number; lastMonth?: number }) {
  const { period_end } = lastFullMonth(new Date());
  await testSql().begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`
      with homes as (
        select g, m, extensions.gen_random_uuid() as pid,
               (1500 + (g * 97) % 900) as area,
               (date_trunc('month', ${period_end}::date) - make_interval(months => m))::date + (g * 5) % 27 as sold_on,
               (300 + m * 3 + (g % 7) * 4) as ppsf
        from generate_series(0, 12) m, generate_series(1, ${o.perMonth}) g
        where m > 0 or g <= ${o.lastMonth ?? o.perMonth}
      ), props as (
        insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                      lot_size_sqft, year_built, currency, last_sold_price, last_sold_at, is_listed)
        select pid, ${owner}, (100 + g + m * 100) || ' Render Way', ${where.city}, 'TX', ${where.zip}, 3, 2, area, 6000, 1990 + g,
               'USD', round(area * ppsf / 100) * 100, sold_on, false
        from homes returning id
      )
      insert into homes.listings (property_id, seller_id, status, asking_price, currency, published_at, sold_price, sold_at,
                                  city, state, postal_code, bedrooms, bathrooms, living_area_sqft, created_at)
      select h.pid, ${owner}, 'sold', round(h.area * h.ppsf / 0.98 / 100) * 100, 'USD',
             (h.sold_on - 20 - h.g)::timestamp at time zone 'UTC', round(h.area * h.ppsf / 100) * 100,
             h.sold_on::timestamp at time zone 'UTC' + interval '12 hours',
             ${where.city}, 'TX', ${where.zip}, 3, 2, h.area, (h.sold_on - 25)::timestamp at time zone 'UTC'
      from homes h join props p on p.id = h.pid`;
    await tx`
      with homes as (
        select g, extensions.gen_random_uuid() as pid from generate_series(1, ${o.active}) g
      ), props as (
        insert into homes.properties (id, owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft,
                                      lot_size_sqft, year_built, currency, is_listed)
        select pid, ${owner}, g || ' Listed Lane', ${where.city}, 'TX', ${where.zip}, 3, 2, 1800, 6000, 2000, 'USD', true from homes
        returning id
      )
      insert into homes.listings (property_id, seller_id, status, asking_price, currency, published_at,
                                  city, state, postal_code, bedrooms, bathrooms, living_area_sqft)
      select h.pid, ${owner}, 'active', 600000 + g * 1000, 'USD', now() - interval '120 days', ${where.city}, 'TX', ${where.zip}, 3, 2, 1800
      from homes h join props p on p.id = h.pid`;
  });
}

async function requestReport(user: User, where: ReturnType<typeof place>, formats = ["html", "json", "csv", "pdf"]) {
  const params = { cities: [where.city], zip_codes: [], ...lastFullMonth(new Date()), formats };
  const id = await asUser(testSql(), { sub: user.id, role: "authenticated", email: user.email }, async (tx) => {
    const [row] = await tx`select reports.request_market_report(${user.id}, ${JSON.stringify(params)}::text::jsonb) as id`;
    return row.id as string;
  });
  return { id, params };
}

async function generation(id: string) {
  const [row] = await testSql()`
    select status, html_url, json_url, csv_url, pdf_url, error_message, processing_time_ms, generated_at, billable
    from reports.report_generations where id = ${id}`;
  return row;
}

async function sqlStats(params: { cities: string[]; period_start: string; period_end: string }): Promise<MarketStats> {
  const [row] = await testSql()`select private.reports_market_stats(${params.cities}::text[], '{}'::text[], ${params.period_start}::date, ${params.period_end}::date) as s`;
  return row.s as MarketStats;
}

/** Makes a job that is waiting out its retry backoff due now. */
async function makeDue(idempotencyKey: string) {
  await testSql()`update public.jobs set run_at = now() where queue = 'reports.render' and idempotency_key = ${idempotencyKey} and status = 'queued'`;
}

const bytesOf = (storage: MemoryStorage, path: string) => storage.objects.get(`reports/${path}`)?.bytes;
const textOf = (storage: MemoryStorage, path: string) => new TextDecoder().decode(bytesOf(storage, path));
const compact = (s: string) => s.replace(/\s+/g, " ");

dbTest("market report end to end: homes rows -> completed; the PDF, JSON, CSV and HTML say what SQL computed", async () => {
  const { handler, storage } = setup();
  const agent = await newUser("render-agent");
  await testSql()`update public.profiles set full_name = 'Rita Render', license_number = 'TX-4242', phone = '+1 512 555 0142' where id = ${agent.id}`;
  const where = place();
  await market(where, agent.id, { perMonth: 7, active: 9 });
  const { id, params } = await requestReport(agent, where);
  assertEquals((await generation(id)).status, "pending");

  const worked = await runWorker(handler);
  const mine = worked.jobs.find((j) => j.report_id === id)!;
  assertEquals(mine?.outcome, "completed", JSON.stringify(worked));

  const row = await generation(id);
  const prefix = `${agent.id}/${id}/report`;
  assertEquals([row.status, row.html_url, row.json_url, row.csv_url, row.pdf_url, row.error_message],
    ["completed", `${prefix}.html`, `${prefix}.json`, `${prefix}.csv`, `${prefix}.pdf`, null]);
  assert(row.processing_time_ms >= 0 && row.generated_at instanceof Date, "timing recorded");
  assertEquals(storage.objects.get(`reports/${prefix}.pdf`)?.contentType, "application/pdf");

  const stats = await sqlStats(params);
  assert(stats.enough_data && stats.closed_sales === 7, `the market has 7 sales in the period: ${stats.closed_sales}`);

  // PDF: opened and read back; every metric row and month as SQL has it.
  const text = compact((await pdfPageTexts(bytesOf(storage, `${prefix}.pdf`)!)).join(" "));
  const price = stats.metrics.median_sale_price!.value!;
  assert(text.includes(`Median sale price $${price.toLocaleString("en-US")}`), `median sale price ${price} in the PDF`);
  for (const k of METRIC_KEYS) {
    const m = stats.metrics[k]!;
    const line = `${METRIC_LABELS[k]} ${metricValue(k, m.value)} ${changePct(m.mom_pct)} ${changePct(m.yoy_pct)}`;
    assert(text.includes(line), `PDF row "${line}"`);
  }
  for (const s of stats.series) assert(text.includes(`${s.month} ${s.closed_sales} $${s.median_sale_price!.toLocaleString("en-US")}`), `month ${s.month}`);
  assert(text.includes("Prepared by Rita Render") && text.includes("License TX-4242"), "the agent's own details");

  // JSON: the statistics exactly; CSV: the same numbers; HTML: the chart's points.
  const doc = JSON.parse(textOf(storage, `${prefix}.json`));
  assertEquals(doc.statistics, stats);
  assertEquals(doc.report.report_id, id);
  const csv = parseCsv(textOf(storage, `${prefix}.csv`));
  const metricsAt = csv.findIndex((r) => r[0] === "metric");
  for (const k of METRIC_KEYS) {
    const m = stats.metrics[k]!;
    const r = csv.slice(metricsAt).find((x) => x[0] === k)!;
    assertEquals(r.slice(2).map((v) => (v === "" ? null : Number(v))), [m.value, m.mom_pct, m.yoy_pct], `csv ${k}`);
  }
  const html = textOf(storage, `${prefix}.html`);
  const dots = [...html.matchAll(/<circle class="price-point" data-month="([^"]+)" data-value="([^"]+)"/g)].map((d) => [d[1], Number(d[2])]);
  assertEquals(dots, stats.series.filter((s) => s.median_sale_price !== null).map((s) => [s.month, s.median_sale_price]));
  assert(html.includes(`<h1>Market report: ${where.city}</h1>`), "title");

  // Billing happened once, when the report was requested (rp-stats); rendering added nothing.
  const [usage] = await testSql()`select count(*)::int as n from public.usage_events where reference_id = ${id}`;
  assertEquals(usage.n, 1);
});

dbTest("branding: a sponsored account's reports carry the affiliate's name and colours, hostile text stays inert", async () => {
  const { handler, storage } = setup();
  const sponsor = await newUser("render-sponsor");
  const agent = await newUser("render-sponsored");
  const [aff] = await testSql()`
    insert into public.accounts (name, slug, account_type, primary_owner_user_id)
    values ('Sponsor <b>Co</b>', ${"render-aff-" + crypto.randomUUID().slice(0, 8)}, 'affiliate', ${sponsor.id}) returning id`;
  await testSql()`insert into reports.affiliate_branding (account_id, brand_display_name, primary_color, accent_color)
                  values (${aff.id}, '<script>alert(1)</script> Realty', '#7a1f5c', '#0a8f3d')`;
  await testSql()`update public.accounts set sponsor_account_id = ${aff.id} where id = ${agent.id}`;
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 1 });
  const { id } = await requestReport(agent, where, ["html", "pdf"]);
  assertEquals((await runWorker(handler)).jobs.find((j) => j.report_id === id)?.outcome, "completed");
  const html = textOf(storage, `${agent.id}/${id}/report.html`);
  assert(html.includes("&lt;script&gt;alert(1)&lt;/script&gt; Realty") && !/<script/i.test(html), "the brand name, escaped");
  assert(html.includes("header{background:#7a1f5c;") && html.includes("border-bottom:2px solid #0a8f3d"), "the brand colours");
  const text = compact((await pdfPageTexts(bytesOf(storage, `${agent.id}/${id}/report.pdf`)!)).join(" "));
  assert(text.includes("<script>alert(1)</script> Realty"), "the PDF prints it as text");
});

dbTest("signed URLs: members get one per stored file, short-lived; strangers and unknown ids get the same 404", async () => {
  const { handler, storage } = setup();
  const agent = await newUser("render-owner");
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 3 });
  const { id } = await requestReport(agent, where, ["pdf", "csv"]);
  await runWorker(handler);

  const mine = await files(handler, await userToken(agent, JWT_SECRET), id);
  assertEquals([mine.status, mine.body.kind, mine.body.status, mine.body.expires_in, Object.keys(mine.body.files).sort()],
    [200, "market", "completed", 120, ["csv", "pdf"]], JSON.stringify(mine.body));
  const pdf = await storage.readSigned(mine.body.files.pdf);
  assertEquals(pdf.bytes, bytesOf(storage, `${agent.id}/${id}/report.pdf`));
  const late = await storage.readSigned(mine.body.files.pdf, Date.now() / 1000 + 121).catch((e) => e);
  assert(late instanceof StorageError && /expired/.test(late.message), "the URL expires after 120 s");
  assert(Date.parse(mine.body.expires_at) - Date.now() <= 120_000, "expires_at within the lifetime");

  const stranger = await newUser("render-stranger");
  const theirs = await files(handler, await userToken(stranger, JWT_SECRET), id);
  const unknown = await files(handler, await userToken(stranger, JWT_SECRET), crypto.randomUUID());
  assertEquals([theirs.status, theirs.body], [404, unknown.body], "never reveals that the report exists");
  assertEquals(unknown.status, 404);
  assertEquals((await files(handler, null, id)).status, 401);
  const bad = await files(handler, await userToken(agent, JWT_SECRET), "not-a-uuid");
  assertEquals([bad.status, bad.body.error.field], [400, "id"]);
  // Membership, not authorship, decides: a team report requested by one member is read by the owner.
  const team = await asUser(testSql(), { sub: agent.id, role: "authenticated", email: agent.email }, async (tx) => {
    const [t] = await tx`select (public.create_team_account('Render team', ${"render-" + crypto.randomUUID().slice(0, 8)})).id as id`;
    return { id: t.id as string };
  });
  await testSql()`insert into public.account_memberships (account_id, user_id, role) values (${team.id}, ${stranger.id}, 'member')`;
  const teamReport = await asUser(testSql(), { sub: stranger.id, role: "authenticated", email: stranger.email }, async (tx) => {
    const [r] = await tx`select reports.request_market_report(${team.id}, ${JSON.stringify({ cities: [where.city], ...lastFullMonth(new Date()), formats: ["json"] })}::text::jsonb) as id`;
    return r.id as string;
  });
  await runWorker(handler);
  const asOwner = await files(handler, await userToken(agent, JWT_SECRET), teamReport);
  assertEquals([asOwner.status, Object.keys(asOwner.body.files)], [200, ["json"]], "another member of the account reads it");
});

/** A memory Storage whose uploads fail (503) whenever `fail(path)` says so. */
function flaky(fail: (path: string) => boolean) {
  const inner = memoryStorage();
  const upload = inner.upload.bind(inner);
  return Object.assign(inner, {
    upload: (bucket: string, path: string, bytes: Uint8Array, type: string, o?: { upsert?: boolean }) =>
      fail(path) ? Promise.reject(new StorageError(`storage upload ${bucket}/${path}: 503 unavailable`, 503)) : upload(bucket, path, bytes, type, o),
  });
}

dbTest("a retried job neither duplicates files nor bills twice; a second delivery after completion is skipped", async () => {
  // The PDF's first upload fails after the HTML, JSON and CSV are stored.
  let failedOnce = false;
  const storage = flaky((path) => path.endsWith("report.pdf") && !failedOnce && (failedOnce = true));
  const { handler } = setup(storage);
  const agent = await newUser("render-retry");
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 2 });
  const { id } = await requestReport(agent, where, ["html", "json", "csv", "pdf"]);

  const first = (await runWorker(handler)).jobs.find((j) => j.report_id === id)!;
  assertEquals(first.outcome, "retrying", JSON.stringify(first));
  const between = await generation(id);
  assertEquals([between.status, between.pdf_url], ["processing", null], "still processing while the job waits to retry");
  await makeDue(id);
  const second = (await runWorker(handler)).jobs.find((j) => j.report_id === id)!;
  assertEquals(second.outcome, "completed", JSON.stringify(second));

  const keys = [...storage.objects.keys()].filter((k) => k.startsWith(`reports/${agent.id}/${id}/`)).sort();
  assertEquals(keys, ["csv", "html", "json", "pdf"].map((f) => `reports/${agent.id}/${id}/report.${f}`), "one file per format");
  const [usage] = await testSql()`select count(*)::int as n from public.usage_events where reference_id = ${id}`;
  assertEquals(usage.n, 1, "billed once");
  const [job] = await testSql()`select status, attempts from public.jobs where queue = 'reports.render' and idempotency_key = ${id}`;
  assertEquals([job.status, job.attempts], ["succeeded", 2]);

  // The same report delivered again (a duplicate job): nothing is rendered or charged.
  const before = bytesOf(storage, `${agent.id}/${id}/report.pdf`);
  await testSql()`select private.enqueue_job('reports.render', ${JSON.stringify({ kind: "market_report", id })}::text::jsonb, ${agent.id}::uuid, ${"dup:" + id})`;
  const dup = (await runWorker(handler)).jobs.find((j) => j.report_id === id)!;
  assertEquals(dup.outcome, "skipped");
  assert(bytesOf(storage, `${agent.id}/${id}/report.pdf`) === before, "the stored PDF is not written again");
  const [again] = await testSql()`select count(*)::int as n from public.usage_events where reference_id = ${id}`;
  assertEquals(again.n, 1);
});

dbTest("a job that keeps failing ends failed with the reason after its last attempt, never stuck processing", async () => {
  const storage = flaky(() => true);
  const { handler } = setup(storage);
  const agent = await newUser("render-fail");
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 1 });
  const { id } = await requestReport(agent, where, ["csv"]);
  const outcomes: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const ran = (await runWorker(handler)).jobs.find((j) => j.report_id === id)!;
    outcomes.push(ran.outcome);
    if (attempt < 3) assertEquals((await generation(id)).status, "processing");
    await makeDue(id);
  }
  assertEquals(outcomes, ["retrying", "retrying", "failed"]);
  const row = await generation(id);
  assertEquals(row.status, "failed");
  assert(/^market report failed: storage upload reports\/.+: 503 unavailable$/.test(row.error_message), row.error_message);
  const [job] = await testSql()`select status, last_error from public.jobs where queue = 'reports.render' and idempotency_key = ${id}`;
  assertEquals([job.status, job.last_error], ["dead", row.error_message]);
});

dbTest("a report whose job died (a crashed worker on its last lease) is failed by the next worker round", async () => {
  const { handler } = setup();
  const agent = await newUser("render-dead");
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 1 });
  const { id } = await requestReport(agent, where, ["json"]);
  await testSql()`update reports.report_generations set status = 'processing' where id = ${id}`;
  await testSql()`update public.jobs set status = 'dead', last_error = 'lease expired: worker x did not finish', finished_at = now()
                  where queue = 'reports.render' and idempotency_key = ${id}`;
  const worked = await runWorker(handler);
  assert(worked.abandoned_failed >= 1, JSON.stringify(worked));
  const row = await generation(id);
  assertEquals([row.status, row.error_message], ["failed", "market report failed: lease expired: worker x did not finish"]);
});

async function subjectHome(where: ReturnType<typeof place>, owner: string) {
  const [p] = await testSql()`
    insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built, is_listed)
    values (${owner}, '7 Subject  Street', ${where.city}, 'TX', ${where.zip}, 3, 2, 1900, 6000, 2001, false) returning id`;
  return p.id as string;
}

async function createPropertyReport(user: User, where: ReturnType<typeof place>, pages: string[], theme = 2) {
  return await asUser(testSql(), { sub: user.id, role: "authenticated", email: user.email }, async (tx) => {
    const [r] = await tx`select reports.create_property_report(${user.id}, '7 subject street', ${where.city}, 'TX', ${where.zip}, ${theme},
                                                               ${JSON.stringify(pages)}::text::jsonb) as id`;
    return r.id as string;
  });
}

dbTest("property report: comparables from the Homes engine, only the selected pages, a QR code that decodes to its landing URL", async () => {
  const { handler, storage } = setup();
  const agent = await newUser("render-cma");
  const where = place();
  await market(where, agent.id, { perMonth: 2, active: 2 });
  await subjectHome(where, agent.id);
  // A sale with no listing: a private home, the closest comparable, whose address must not be printed.
  await testSql()`
    insert into homes.properties (owner_id, address, city, state, postal_code, bedrooms, bathrooms, living_area_sqft, lot_size_sqft, year_built,
                                  last_sold_price, last_sold_at, is_listed)
    values (${agent.id}, '99 Private Road', ${where.city}, 'TX', ${where.zip}, 3, 2, 1900, 6000, 2001, 612000, current_date - 40, false)`;
  const id = await createPropertyReport(agent, where, ["estimate", "comparables", "cover"]);
  let [row] = await testSql()`select short_code, status, selected_pages from reports.property_reports where id = ${id}`;
  assertEquals([row.status, row.selected_pages], ["pending", ["cover", "comparables", "estimate"]], "pages kept in report order");
  assert(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/.test(row.short_code), `a short code from the insert trigger: ${row.short_code}`);

  const ran = (await runWorker(handler)).jobs.find((j) => j.report_id === id)!;
  assertEquals(ran.outcome, "completed", JSON.stringify(ran));
  [row] = await testSql()`select short_code, status, pdf_url, qr_code_url, comparables from reports.property_reports where id = ${id}`;
  assertEquals([row.status, row.pdf_url, row.qr_code_url], ["completed", `${agent.id}/property/${id}/report.pdf`, `${agent.id}/property/${id}/qr.png`]);

  // The QR image decodes to the public landing URL of this report's short code.
  const raster = decodeImage(bytesOf(storage, row.qr_code_url)!);
  assertEquals(jsQR(new Uint8ClampedArray(raster.data), raster.width, raster.height)?.data, `${LANDING}${row.short_code}`);

  // Comparables are the engine's, as SQL answers them.
  const [engine] = await testSql()`select private.reports_value_subject('7 Subject Street', ${where.city}, ${where.zip}) as v`;
  assert(engine.v.comparables.length >= 3, "enough comparables for an estimate");
  assertEquals(row.comparables.map((c: { price: number }) => c.price), engine.v.comparables.map((c: { price: number }) => c.price));
  const pages = (await pdfPageTexts(bytesOf(storage, row.pdf_url)!)).map(compact);
  assertEquals(pages.length, 3, "cover, comparables, value");
  assert(pages[0].includes(`${LANDING}${row.short_code}`) && pages[0].includes("7 subject street"), `the address as the agent typed it: ${pages[0]}`);
  assert(pages[2].includes(`$${Number(engine.v.estimate).toLocaleString("en-US")}`), `estimate ${engine.v.estimate} on the value page: ${pages[2]}`);
  for (const c of engine.v.comparables) assert(pages[1].includes(`$${Number(c.price).toLocaleString("en-US")}`), `comparable ${c.price}`);
  // A home sold without a listing keeps its street address out; sold and listed homes (public listings) show theirs.
  const hidden = engine.v.comparables.filter((c: { address: string | null; price: number }) => c.price === 612000);
  assertEquals(hidden.map((c: { address: string | null }) => c.address), [null], "the private sale is a comparable without an address");
  assert(!pages[1].includes("Private Road") && pages[1].includes("$612,000"), "its price counts, its address stays out");
  assert(pages[1].includes("Render Way"), "public listings show their address");

  const signed = await files(handler, await userToken(agent, JWT_SECRET), id);
  assertEquals([signed.status, signed.body.kind, Object.keys(signed.body.files).sort()], [200, "property", ["pdf", "qr"]]);
  const stranger = await newUser("render-cma-stranger");
  assertEquals((await files(handler, await userToken(stranger, JWT_SECRET), id)).status, 404);
});

dbTest("a job no retry can fix (an unknown report, a bad payload) fails at once, without retries", async () => {
  const { handler } = setup();
  const ghost = crypto.randomUUID();
  const key = `ghost:${ghost}`;
  await testSql()`select private.enqueue_job('reports.render', ${JSON.stringify({ kind: "property_report", id: ghost })}::text::jsonb, null, ${key})`;
  await testSql()`select private.enqueue_job('reports.render', ${JSON.stringify({ kind: "painting", id: ghost })}::text::jsonb, null, ${key + ":bad"})`;
  const market = crypto.randomUUID();
  await testSql()`select private.enqueue_job('reports.render', ${JSON.stringify({ kind: "market_report", id: market })}::text::jsonb, null, ${"ghost:" + market})`;
  const worked = await runWorker(handler);
  const jobs = await testSql()`select idempotency_key, status, attempts, last_error from public.jobs where idempotency_key like ${"ghost:%"} and (payload ->> 'id' = ${ghost} or payload ->> 'id' = ${market}) order by idempotency_key`;
  assertEquals(jobs.map((j) => [j.status, j.attempts]), [["dead", 1], ["dead", 1], ["dead", 1]], JSON.stringify(worked.jobs));
  const byKey = Object.fromEntries(jobs.map((j) => [j.idempotency_key, j.last_error]));
  assertEquals(byKey[key + ":bad"], "payload: expected {kind: market_report | property_report | consumer_report, id: uuid}");
  assertEquals(byKey["ghost:" + market], `market report failed: report ${market}: no such report generation`);
  assert(/^property report failed: property report .+: no such report/.test(byKey[key]), byKey[key]);
});

dbTest("consumer report: comparables, market statistics for its ZIP code and a value estimate, stored and rendered", async () => {
  const { handler, storage } = setup();
  const agent = await newUser("render-consumer");
  const where = place();
  await market(where, agent.id, { perMonth: 5, active: 2 });
  await subjectHome(where, agent.id);
  const [c] = await testSql()`
    insert into reports.consumer_reports (account_id, agent_id, consumer_email, consent_given, property_address, property_city, property_state, property_zip)
    values (${agent.id}, ${agent.id}, 'buyer@example.com', true, '7 Subject Street', ${where.city}, 'TX', ${where.zip}) returning id`;
  await testSql()`select private.enqueue_job('reports.render', ${JSON.stringify({ kind: "consumer_report", id: c.id })}::text::jsonb, ${agent.id}::uuid, ${"consumer_report:" + c.id})`;
  const ran = (await runWorker(handler)).jobs.find((j) => j.report_id === c.id)!;
  assertEquals(ran.outcome, "completed", JSON.stringify(ran));
  const [row] = await testSql()`select status, pdf_url, comparables, market_stats, value_estimate from reports.consumer_reports where id = ${c.id}`;
  assertEquals([row.status, row.pdf_url], ["completed", `${agent.id}/consumer/${c.id}/report.pdf`]);
  const stats = await testSql()`select private.reports_market_stats('{}'::text[], ${[where.zip]}::text[], ${lastFullMonth(new Date()).period_start}::date, ${lastFullMonth(new Date()).period_end}::date) as s`;
  assertEquals(row.market_stats, stats[0].s);
  assert(row.value_estimate.estimate > 0 && row.comparables.length >= 3, JSON.stringify(row.value_estimate));
  const text = compact((await pdfPageTexts(bytesOf(storage, row.pdf_url)!)).join(" "));
  assert(text.includes("Home value report") && text.includes(`$${Number(row.value_estimate.estimate).toLocaleString("en-US")}`), "estimate in the PDF");
  assert(!text.includes("Scan to view"), "no QR on a consumer report");
});

dbTest("the page list in SQL is the contract's; the worker refuses callers without the service role", async () => {
  const [row] = await testSql()`select private.reports_property_pages() as pages`;
  assertEquals(row.pages, [...PROPERTY_REPORT_PAGES]);
  const { handler } = setup();
  const user = await newUser("render-not-worker");
  const res = await handler(new Request(URL_, { method: "POST", headers: { authorization: `Bearer ${await userToken(user, JWT_SECRET)}` }, body: "{}" }));
  assertEquals(res.status, 403);
  assertEquals((await handler(new Request(URL_, { method: "PUT" }))).status, 405);
});

Deno.test({ name: "close the test pool (report-generate)", sanitizeOps: false, sanitizeResources: false, fn: closeTestSql });
