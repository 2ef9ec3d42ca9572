using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using ReviewHub.Apps;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Platform;

public sealed class QueueEncodingTests
{
    [Fact]
    public async Task A_message_the_app_enqueues_is_what_the_queue_trigger_binding_receives()
    {
        await using var app = await TestApp.StartAsync();
        var queueName = $"encoding-{Guid.NewGuid():N}";
        // no decoding: the bytes the host reads
        var raw = new QueueClient(await Azurite.ConnectionStringAsync(), queueName);
        await raw.CreateAsync();
        var sent = new AppRemoval(Ids.New(), Ids.New());

        await app.Get<IMessageQueue>().SendAsync(queueName, sent);

        var message = (await raw.ReceiveMessageAsync()).Value;
        // The host (messageEncoding = base64) decodes base64, then the worker deserialises JSON into the trigger's
        // parameter type.
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText));
        var bound = JsonSerializer.Deserialize<AppRemoval>(decoded,
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        Assert.Equal(sent, bound);
        await raw.DeleteAsync();
    }
}
