using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>
/// Raised to the setup when a key was registered for its connection (by operators, or the customer's team key): it
/// checks at once instead of at the next poll. Fields are null when an earlier build raised it (a bare <c>true</c>,
/// see <see cref="SetupEventJsonConverter{TEvent}"/>).
/// </summary>
[JsonConverter(typeof(SetupEventJsonConverter<CredentialRegisteredEvent>))]
internal sealed record CredentialRegisteredEvent(ConnectionMethod? Method, DateTimeOffset? RegisteredAt)
{
    /// <summary>The event's Durable name (unchanged since it carried <c>true</c>).</summary>
    public const string Name = "CredentialRegistered";
}
