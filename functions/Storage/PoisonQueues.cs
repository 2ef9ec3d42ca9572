namespace ReviewHub.Storage;

/// <summary>Where the Functions host moves a queue's message after its last allowed dequeue failed.</summary>
internal static class PoisonQueues
{
    public static string NameFor(string queueName) => $"{queueName}-poison";
}
