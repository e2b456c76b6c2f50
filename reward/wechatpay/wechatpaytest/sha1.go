package wechatpaytest

import (
	"crypto/sha1"
	"hash"
)

// sha1New is the hash of RSA-OAEP as WeChat Pay uses it for sensitive
// fields (OAEP with SHA-1 and MGF1).
func sha1New() hash.Hash { return sha1.New() }
