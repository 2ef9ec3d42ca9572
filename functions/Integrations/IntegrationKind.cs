using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>The integration kinds a customer can set up, each with its own required App Store Connect roles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntegrationKind>))]
internal enum IntegrationKind
{
    FullAccess,
    ReplyToReviews,
    AsoReport,
    SalesReport,
}
