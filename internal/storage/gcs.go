//go:build gcs

package storage

import _ "gocloud.dev/blob/gcsblob" // gs:// URLs, with Google credentials

const haveGCS = true

const errNoGCS = ""
