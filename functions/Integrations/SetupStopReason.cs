using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>Why a setup was told to stop.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SetupStopReason>))]
internal enum SetupStopReason
{
    /// <summary>A member cancelled the setup (the row is Cancelled already).</summary>
    Cancelled,
    /// <summary>The owner disconnected the team (the row is Disconnected already).</summary>
    Disconnected,
}
