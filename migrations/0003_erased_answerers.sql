CREATE TABLE "erased_answerers" (
	"post_id" uuid NOT NULL,
	"hash_key" text NOT NULL,
	"person_hash" text NOT NULL,
	CONSTRAINT "erased_answerers_post_id_person_hash_pk" PRIMARY KEY("post_id","person_hash")
);
--> statement-breakpoint
ALTER TABLE "erased_answerers" ADD CONSTRAINT "erased_answerers_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;