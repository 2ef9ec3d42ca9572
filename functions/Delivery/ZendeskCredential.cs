namespace ReviewHub.Delivery;

/// <summary>A Zendesk API-token credential, stored as one JSON secret.</summary>
internal sealed record ZendeskCredential(string Email, string ApiToken);
