"""The archive core: storage, search, import and domain rules. Nothing here imports Qt."""
