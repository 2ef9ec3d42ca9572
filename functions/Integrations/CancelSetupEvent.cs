using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>
/// Raised to the setup to end it; the row already says so (the SPA sees it at once), the event ends the orchestration
/// and its timer. Fields are null when an earlier build raised it (a bare <c>true</c>, see
/// <see cref="SetupEventJsonConverter{TEvent}"/>).
/// </summary>
[JsonConverter(typeof(SetupEventJsonConverter<CancelSetupEvent>))]
internal sealed record CancelSetupEvent(SetupStopReason? Reason, string? UserId)
{
    /// <summary>The event's Durable name (unchanged since it carried <c>true</c>).</summary>
    public const string Name = "Cancel";
}
