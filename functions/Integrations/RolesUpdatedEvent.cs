using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>
/// Raised to the setup when a member says the integration user's roles were updated ("I've updated the roles"): it
/// checks at once. Fields are null when an earlier build raised it (a bare <c>true</c>, see
/// <see cref="SetupEventJsonConverter{TEvent}"/>).
/// </summary>
[JsonConverter(typeof(SetupEventJsonConverter<RolesUpdatedEvent>))]
internal sealed record RolesUpdatedEvent(string? UserId, DateTimeOffset? ToldAt)
{
    /// <summary>The event's Durable name (unchanged since it carried <c>true</c>).</summary>
    public const string Name = "RolesUpdated";
}
