using ReviewHub.Apps;

namespace ReviewHub.GooglePlay;

/// <summary>
/// The first Android app of an account makes it need a Google service account: its Play connection row appears,
/// waiting on operators to provision one (their work list shows it).
/// </summary>
internal sealed class PlayConnectionRegistration(PlayConnectionStore store) : IAppRegisteredListener
{
    public async Task OnRegisteredAsync(AppEntity app, CancellationToken cancellationToken)
    {
        if (app.Store == Stores.GooglePlay)
        {
            await store.EnsureAsync(app.AccountId, cancellationToken);
        }
    }
}
