import "/tmp/one.mjs"
