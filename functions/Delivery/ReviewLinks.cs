namespace ReviewHub.Delivery;

/// <summary>Links into the SPA.</summary>
internal sealed class ReviewLinks(string spaBaseUrl)
{
    private readonly string baseUrl = spaBaseUrl.TrimEnd('/');

    public string Reviews(string accountId, string appId) => $"{baseUrl}/accounts/{accountId}/apps/{appId}/reviews";

    public string Routes(string accountId, string appId) => $"{baseUrl}/accounts/{accountId}/apps/{appId}/routes";

    public string Review(string accountId, string appId, string reviewId) =>
        $"{Reviews(accountId, appId)}/{Uri.EscapeDataString(reviewId)}";
}
