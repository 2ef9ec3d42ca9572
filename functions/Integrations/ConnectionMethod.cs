using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>How a connection got its key.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionMethod>))]
internal enum ConnectionMethod
{
    /// <summary>The customer invited ReviewHub's integration user; operators accepted and registered its key.</summary>
    Invitation,
    /// <summary>The customer uploaded a team API key; no operator acts.</summary>
    TeamKey,
}
