// Cold start baseline: an ES module that does nothing.
