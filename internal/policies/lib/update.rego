# Package lib.update holds the UPDATE rule every policy follows: on UPDATE a
# finding the old object already had is not reported again, so objects admitted
# before a policy existed can still be scaled, labelled and deleted, while any new
# finding (say an ephemeral container added through an UPDATE) is. On CREATE and in
# audit (no operation) previous_object is empty, so everything is reported.
#
# A policy writes: violation contains v if { some v in (findings(input.review.object) - findings(update.previous_object)) }
package lib.update

previous_object := input.review.oldObject if {
	input.review.operation == "UPDATE"
	is_object(input.review.oldObject)
} else := {}
