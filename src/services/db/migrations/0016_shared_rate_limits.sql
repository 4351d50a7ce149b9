CREATE TABLE "provider_rate_leases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provider_rate_limits" (
	"provider" text NOT NULL,
	"account_id" text NOT NULL,
	"next_at" timestamp with time zone DEFAULT now() NOT NULL,
	"day_started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"day_count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "provider_rate_limits_provider_account_id_pk" PRIMARY KEY("provider","account_id")
);
--> statement-breakpoint
CREATE INDEX "provider_rate_leases_account_idx" ON "provider_rate_leases" USING btree ("provider","account_id","expires_at");