"""Fresh prices with provenance: import public catalogues into a user overlay.

``advisor catalog import models-dev|litellm`` reads models.dev's ``api.json``
or LiteLLM's ``model_prices_and_context_window.json`` and writes a
``models.yaml`` overlay (schema: :class:`advisor.core.schema.ModelsFile`) that
``load_knowledge`` merges over the built-in catalogue. The rules it follows:

Identity (:mod:`advisor.catalog.build`)
  1. An entry whose (provider, API model id) is a built-in endpoint updates
     that endpoint (price, context window, deprecation) of the built-in model.
  2. Otherwise an entry whose *base id* (the last ``/`` segment of the API id,
     case-folded, with ``.`` and ``_`` read as ``-``) equals a built-in model
     id or the base id of any built-in endpoint is that built-in model: it adds
     an endpoint at the new provider. If the model already has an endpoint at
     that provider under another id, the entry is an alias and is skipped
     (counted), so a pinned built-in id is never replaced by an alias.
  3. New models: entries under several providers with the same base id are one
     model with one endpoint per provider, unless models.dev gives both a
     ``family`` and the families differ (then the later one gets a
     ``-<provider>`` suffix). Re-imports find the models an earlier import wrote.

Prices (USD per 1M tokens, :class:`decimal.Decimal`, never float)
  * models.dev costs are already per 1M; LiteLLM's are per token and are
    multiplied by 1,000,000 from their decimal text (``2.5e-06`` -> ``2.5``).
  * A missing price is ``null`` (unknown), never $0. Zero: models.dev lists free
    tiers, subscription plans and placeholders alike as input *and* output 0, so
    both-zero is unknown (null) with a ``note`` saying so, unless the model id
    names a free variant (``:free`` / ``-free``): then 0 is kept, with the same
    note. A lone 0 next to a non-zero price (``cache_read: 0``) means "not
    offered" and becomes null. LiteLLM uses 0 as a placeholder, so 0 is unknown
    unless the key marks the model free (``:free`` / ``-free``).
  * Tiered prices (models.dev ``tiers`` / ``context_over_200k``, LiteLLM
    ``*_above_<N>k_tokens``) become price ``tiers`` (and are said in the
    ``note``); the base tier is the price. Cache writes (models.dev
    ``cache_write``, LiteLLM ``cache_creation_input_token_cost``) are ``cache_write``.
  * Deprecations keep their ``deprecation_source``; a catalogue's successor is
    written only when it is a model we know (never guessed).
  * Reasoning: models.dev ``reasoning_options`` and LiteLLM's reasoning flags
    become modes (:mod:`advisor.catalog.reasoning`); where the catalogue does
    not say which mode is the default, the default mode sends nothing and says so.
  * Every price carries ``source`` and ``as_of``: ``--as-of``, else a
    YYYY-MM-DD in the file's name, else (for a URL) the fetch date. A local file
    with neither is refused: its mtime is not a date (a copy or clone resets it).
  * models.dev's ``status: deprecated`` has no date: the endpoint gets
    ``deprecated: <as_of>`` and a note "deprecated by <as_of>" saying that is
    the catalogue's date, not a retirement date.
  * When the price being replaced came from another source (models.dev vs
    LiteLLM vs a curated seed) and differs by more than 5% of the lower price
    on input or output, or the context windows differ, the other claim is kept
    under ``conflicts``. The import just run gives the main price.

Context: an entry with no context window is skipped (counted); no default is
ever assumed. LiteLLM's context is ``max_input_tokens`` (``max_tokens`` is
ambiguous there and not used).
"""
