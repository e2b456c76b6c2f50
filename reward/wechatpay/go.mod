module github.com/hazardloop/hazardloop/reward/wechatpay

go 1.25.0

require github.com/hazardloop/hazardloop v0.0.0

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/pgx/v5 v5.12.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	github.com/wechatpay-apiv3/wechatpay-go v0.2.21 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace github.com/hazardloop/hazardloop => ../..
