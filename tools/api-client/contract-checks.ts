// Calls that break the contract. Each must fail to compile (tsc reports an unused @ts-expect-error otherwise), so
// the compile in scripts/checks/openapi.sh proves that the generated types check paths, parameters, bodies and
// responses, not merely that tsc ran.
import type { ReviewHubClient, Schemas } from "./reviewhub-client";

export async function contractViolations(client: ReviewHubClient, review: Schemas["Review"]) {
  // @ts-expect-error an operation the API does not have
  await client.GET("/accounts/{accountId}/widgets", { params: { path: { accountId: "a" } } });
  // @ts-expect-error a path parameter left out
  await client.GET("/accounts/{accountId}/apps/{appId}", { params: { path: { accountId: "a" } } });
  // @ts-expect-error a required field left out
  await client.POST("/accounts", { body: { name: "Acme" } });
  await client.POST("/accounts/{accountId}/apps", {
    params: { path: { accountId: "a" } },
    // @ts-expect-error a platform the API does not accept
    body: { storeAppId: "1", platform: "windows", name: "Notes", territories: ["USA"] },
  });
  await client.GET("/accounts/{accountId}/apps/{appId}/reviews", {
    // @ts-expect-error a query parameter of the wrong type
    params: { path: { accountId: "a", appId: "b" }, query: { limit: "50" } },
  });
  // @ts-expect-error a field a review does not have
  return review.stars;
}
