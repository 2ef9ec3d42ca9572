using ReviewHub.AppStoreConnect;

namespace ReviewHub.Replies;

/// <summary>App Store Connect's <c>CustomerReviewResponseV1CreateRequest</c> (spec 4.4.1).</summary>
internal sealed record CustomerReviewResponseCreateRequest(CustomerReviewResponseCreateData Data)
{
    public static CustomerReviewResponseCreateRequest For(string reviewId, string body) =>
        new(new CustomerReviewResponseCreateData(
        CustomerReviewResponses.ResourceType,
        new CustomerReviewResponseAttributes(body, null, null),
        new CustomerReviewResponseRelationships(
        new ReviewRelationship(new ResourceLinkage(CustomerReviewResponses.ReviewType, reviewId)))));
}

internal sealed record CustomerReviewResponseCreateData(
    string Type, CustomerReviewResponseAttributes Attributes, CustomerReviewResponseRelationships Relationships);

internal sealed record CustomerReviewResponseAttributes(string? ResponseBody, DateTimeOffset? LastModifiedDate,
    string? State);

internal sealed record CustomerReviewResponseRelationships(ReviewRelationship Review);

internal sealed record ReviewRelationship(ResourceLinkage Data);

internal sealed record ResourceLinkage(string Type, string Id);

/// <summary>App Store Connect's <c>CustomerReviewResponseV1Response</c>: the response resource.</summary>
internal sealed record CustomerReviewResponseDocument(CustomerReviewResponseResource Data);

internal sealed record CustomerReviewResponseResource(string Type, string Id,
    CustomerReviewResponseAttributes? Attributes);

/// <summary>The customerReviewResponses calls replies need.</summary>
internal sealed class CustomerReviewResponses(AppStoreConnectClient client)
{
    public const string ResourceType = "customerReviewResponses";
    public const string ReviewType = "customerReviews";
    public const string PendingPublish = "PENDING_PUBLISH";
    public const string Published = "PUBLISHED";

    /// <summary>POST creates the review's response, or overwrites the one it has.</summary>
    public async Task<CustomerReviewResponseResource> CreateOrReplaceAsync(
        AppStoreConnectCredential credential, string reviewId, string body, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync<CustomerReviewResponseDocument>(
            credential, HttpMethod.Post, "/v1/customerReviewResponses",
            CustomerReviewResponseCreateRequest.For(reviewId, body), cancellationToken);
        return response.Document.Data;
    }

    /// <summary>The response and what is left of the key's hourly budget.</summary>
    public async Task<(CustomerReviewResponseResource Response, RateLimit? RateLimit)> GetAsync(
        AppStoreConnectCredential credential, string responseId, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync<CustomerReviewResponseDocument>(
            credential,
            $"/v1/customerReviewResponses/{Uri.EscapeDataString(responseId)}?fields[customerReviewResponses]=state," +
            $"lastModifiedDate", cancellationToken);
        return (response.Document.Data, response.RateLimit);
    }

    /// <summary>DELETE by response id; a response that is already gone counts as deleted.</summary>
    public async Task DeleteAsync(AppStoreConnectCredential credential, string responseId,
        CancellationToken cancellationToken)
    {
        try
        {
            await client.SendWithoutResultAsync(credential, HttpMethod.Delete,
                $"/v1/customerReviewResponses/{Uri.EscapeDataString(responseId)}", cancellationToken);
        }
        catch (AppStoreConnectException ex) when (ex.Failure == AppStoreConnectFailure.NotFound)
        {
        }
    }
}
