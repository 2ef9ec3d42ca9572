using Azure.Core;
using Azure.Core.Pipeline;

namespace ReviewHub.Tests.Fuzz;

/// <summary>
/// Counts every request the app's table and queue clients send that can change storage: any method but GET and HEAD,
/// and a GET that dequeues messages. Added to every Azure client of the app (<c>ConfigureDefaults</c>), it tells the
/// fuzzer which responses need a full <see cref="StorageSnapshot"/> comparison: one that sent no such request changed
/// nothing in storage. A sample of the others is compared in full anyway, to keep this recorder honest.
/// </summary>
internal sealed class StorageWriteRecorder : HttpPipelineSynchronousPolicy
{
    private long writes;

    public long Writes => Interlocked.Read(ref writes);

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var dequeues =
            request.Method == RequestMethod.Get
            && request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal)
            && !request.Uri.Query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase);
        if ((request.Method != RequestMethod.Get && request.Method != RequestMethod.Head) || dequeues)
        {
            Interlocked.Increment(ref writes);
        }
    }
}
