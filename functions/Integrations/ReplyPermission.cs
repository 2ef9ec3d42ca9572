using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>Whether the key may reply to reviews, as far as App Store Connect has told (a reply is the only
/// test).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplyPermission>))]
internal enum ReplyPermission
{
    Confirmed,
    Refused,
}
