using ReviewHub.AppStoreConnect;

namespace ReviewHub.Reviews;

/// <summary>One page of <c>GET /v1/apps/{id}/customerReviews</c>, normalised, with the link to the next (older)
/// page.</summary>
internal sealed record ApiReviewPage(IReadOnlyList<FetchedReview> Reviews, string? Next, RateLimit? RateLimit);

/// <summary>
/// Reads an app's customer reviews from the App Store Connect API, newest first, with their developer responses
/// (<c>include=response</c>), and turns Apple's failures into <see cref="ReviewFetchException"/>.
/// </summary>
internal sealed class AppStoreConnectReviewPages(AppStoreConnectClient client)
{
    public static string FirstPage(string storeAppId, int pageSize) =>
        $"/v1/apps/{Uri.EscapeDataString(storeAppId)}/customerReviews"
        + $"?sort=-createdDate&limit={pageSize}&include=response";

    public async Task<ApiReviewPage> GetPageAsync(
        AppStoreConnectCredential credential, string pathOrUrl, CancellationToken cancellationToken)
    {
        AppStoreConnectResponse<CustomerReviewsDocument> response;
        try
        {
            response = await client.GetAsync<CustomerReviewsDocument>(credential, pathOrUrl, cancellationToken);
        }
        catch (AppStoreConnectException ex)
        {
            throw new ReviewFetchException(
                ex.Message, ex.IsTransient || ex.Failure == AppStoreConnectFailure.MalformedResponse,
                ex.RetryAfter, ex,
                budgetSpent: ex.Failure == AppStoreConnectFailure.RateLimited && ex.RateLimit is { Remaining: 0 });
        }
        return new ApiReviewPage(Normalise(response.Document), response.Document.Links?.Next, response.RateLimit);
    }

    private static List<FetchedReview> Normalise(CustomerReviewsDocument document)
    {
        if (document.Data is null)
        {
            throw Malformed("the document has no data array");
        }
        var responses = (document.Included ?? [])
            .Where(i => i.Type == "customerReviewResponses" && i.Id is not null)
            .ToDictionary(i => i.Id!, i => new FetchedResponse(
                i.Id!, i.Attributes?.ResponseBody, i.Attributes?.State, i.Attributes?.LastModifiedDate));
        return document.Data.Select(review =>
        {
            var a = review.Attributes;
            if (review.Type != "customerReviews" || string.IsNullOrEmpty(review.Id) || a?.Rating is not (>= 1 and <= 5)
                || a.CreatedDate is null
                || string.IsNullOrEmpty(a.Territory))
            {
                throw Malformed($"review '{review.Id}' lacks its type, id, rating (1-5), createdDate or territory");
            }
            var responseId = review.Relationships?.Response?.Data?.Id;
            var response = responseId is not null && responses.TryGetValue(responseId, out var found) ? found : null;
            return new FetchedReview(review.Id, a.Rating.Value, a.Title, a.Body, a.ReviewerNickname, a.Territory,
                a.CreatedDate.Value, response);
        }).ToList();
    }

    private static ReviewFetchException Malformed(string what) =>
        new("App Store Connect answered customerReviews with a document that does not follow "
            + $"CustomerReviewsResponse: {what}.", retryable: true);

    // The parts of Apple's CustomerReviewsResponse that ingestion reads (OpenAPI 4.4.1).
    internal sealed record CustomerReviewsDocument(
        List<CustomerReviewResource>? Data, List<IncludedResource>? Included, PagedLinks? Links);

    internal sealed record CustomerReviewResource(
        string? Type, string? Id, CustomerReviewAttributes? Attributes, CustomerReviewRelationships? Relationships);

    internal sealed record CustomerReviewAttributes(
        int? Rating, string? Title, string? Body, string? ReviewerNickname, DateTimeOffset? CreatedDate,
        string? Territory);

    internal sealed record CustomerReviewRelationships(ToOneRelationship? Response);

    internal sealed record ToOneRelationship(ResourceLinkage? Data);

    internal sealed record ResourceLinkage(string? Type, string? Id);

    internal sealed record IncludedResource(string? Type, string? Id, ResponseAttributes? Attributes);

    internal sealed record ResponseAttributes(string? ResponseBody, DateTimeOffset? LastModifiedDate, string? State);

    internal sealed record PagedLinks(string? Self, string? Next);
}
