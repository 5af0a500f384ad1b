ALTER TABLE "messages" ADD COLUMN "generation_id" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "checkpoint_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "seen" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_streaming_idx" ON "messages" USING btree ("chat_id") WHERE "messages"."status" = 'streaming';--> statement-breakpoint
CREATE INDEX "messages_unseen_idx" ON "messages" USING btree ("chat_id") WHERE not "messages"."seen";