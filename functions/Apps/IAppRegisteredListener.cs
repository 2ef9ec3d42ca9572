namespace ReviewHub.Apps;

/// <summary>Told after an app is registered (e.g. ingestion creates its fetch schedule). Implementations are
/// idempotent.</summary>
public interface IAppRegisteredListener
{
    Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken);
}
