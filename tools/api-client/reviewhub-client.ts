// ReviewHub's API as the SPA calls it: types generated from docs/openapi.yaml by openapi-typescript
// (generated/reviewhub-api.d.ts, not committed) and requests made through openapi-fetch. scripts/checks/openapi.sh
// regenerates the types and compiles this folder with tsc, so a contract change that breaks these calls fails the
// checks; contract-checks.ts holds calls that must not compile.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./generated/reviewhub-api";

export type Schemas = components["schemas"];
export type ReviewHubClient = ReturnType<typeof createReviewHubClient>;
type ListReviews = paths["/accounts/{accountId}/apps/{appId}/reviews"]["get"];
export type ReviewFilter = NonNullable<ListReviews["parameters"]["query"]>;

/** A failed call: the RFC 7807 problem the API answered with (`errors` holds the field errors of a 400). */
export class ReviewHubProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Schemas["ProblemDetails"] & { errors?: Record<string, string[]> },
  ) {
    super(problem.detail ?? problem.title);
  }
}

/** A client for one deployment (`baseUrl` ends in /api) that sends the caller's Entra ID access token. */
export function createReviewHubClient(baseUrl: string, accessToken: () => Promise<string>) {
  const client = createClient<paths>({ baseUrl });
  const bearer: Middleware = {
    async onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${await accessToken()}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

export async function createAccount(client: ReviewHubClient, name: string, ownerEmail: string) {
  const { data, error, response } = await client.POST("/accounts", { body: { name, ownerEmail } });
  if (error) throw new ReviewHubProblem(response.status, error);
  return data;
}

export async function registerApp(client: ReviewHubClient, accountId: string, app: Schemas["RegisterAppRequest"]) {
  const { data, error, response } = await client.POST("/accounts/{accountId}/apps", {
    params: { path: { accountId } },
    body: app,
  });
  if (error) throw new ReviewHubProblem(response.status, error);
  return data;
}

/** Every review that matches the filter, newest first, following `continuationToken` page after page. */
export async function* reviews(client: ReviewHubClient, accountId: string, appId: string, filter: ReviewFilter = {}) {
  let continuationToken: string | undefined;
  do {
    const { data, error, response } = await client.GET("/accounts/{accountId}/apps/{appId}/reviews", {
      params: { path: { accountId, appId }, query: { ...filter, continuationToken } },
    });
    if (error) throw new ReviewHubProblem(response.status, error);
    yield* data.items;
    continuationToken = data.continuationToken;
  } while (continuationToken !== undefined);
}

/** Writes or edits the reply; `published` only after Apple's moderation, so the SPA polls the reply until then. */
export async function writeReply(
  client: ReviewHubClient, accountId: string, appId: string, reviewId: string, body: string) {
  const { data, error, response } = await client.PUT("/accounts/{accountId}/apps/{appId}/reviews/{reviewId}/reply", {
    params: { path: { accountId, appId, reviewId } },
    body: { body },
  });
  if (error) throw new ReviewHubProblem(response.status, error);
  const waiting: Schemas["ReplyStatus"][] = ["queued", "sending", "pendingPublish"];
  return { reply: data, stillInFlight: waiting.includes(data.status), overdue: data.overdue };
}

/** The one line the connection card shows under the status, and whether anything is in force meanwhile. */
export async function integrationProgress(client: ReviewHubClient, accountId: string, connectionId: string) {
  const { data, error, response } = await client.GET("/accounts/{accountId}/connections/{connectionId}", {
    params: { path: { accountId, connectionId } },
  });
  if (error) throw new ReviewHubProblem(response.status, error);
  return { status: data.status, nextStep: data.nextStep, activeKind: data.activeKind ?? null };
}

/** "I've invited", once for the whole App Store Connect team; answers with the connection to poll. */
export async function confirmTeamInvited(client: ReviewHubClient, accountId: string, team: string) {
  const { data, error, response } = await client.POST("/accounts/{accountId}/connections", {
    params: { path: { accountId } },
    body: { team, kind: "fullAccess" },
  });
  if (error) throw new ReviewHubProblem(response.status, error);
  return data.connectionId ?? null;
}

/** A webhook route; the signing secret is returned once, here, and never again. */
export async function createWebhookRoute(client: ReviewHubClient, accountId: string, appId: string, url: string) {
  const { data, error, response } = await client.POST("/accounts/{accountId}/apps/{appId}/routes", {
    params: { path: { accountId, appId } },
    body: { channel: "webhook", target: url, filters: { ratings: [1, 2] } },
  });
  if (error) throw new ReviewHubProblem(response.status, error);
  if (data.signingSecret === undefined) throw new Error("A new webhook route comes with its signing secret.");
  return { routeId: data.routeId, signingSecret: data.signingSecret };
}
